"""The security headers of the app's own web pages (the speaker and auditors' consoles):
everything a page loads comes from the app itself, nothing frames it, and nothing is cached."""
from __future__ import annotations

from flask import Blueprint, Response


def harden(blueprint: Blueprint, *, fetches: bool = False) -> None:
    """Give every response of `blueprint` the headers, unless it set one itself; `fetches`:
    its page's script calls the app (`connect-src`)."""
    sources = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
               *(["connect-src 'self'"] if fetches else []),
               "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"]
    headers = {
        "Content-Security-Policy": "; ".join(sources),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }

    @blueprint.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
