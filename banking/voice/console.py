"""The speaker console at /console: plays the demo TV in a browser.

The page cannot sign requests itself (that would put the device secret in the browser), so a
server-side helper signs each turn as the demo device and forwards it to the voice API in
process. That helper is a signing oracle for the demo device: it exists only when the
settings enable demo helpers (COUCHBANK_ENV != production); otherwise neither it nor the
page is registered and both answer 404."""
from __future__ import annotations

import contextvars
import secrets
import time

from flask import Blueprint, Response, current_app, g, render_template, request

from banking.auth.signing import signed_headers
from banking.demo.seed import DEMO_DEVICE, DEMO_DEVICE_SECRET
from banking.platform.http.errors import envelope
from banking.platform.http.page_headers import harden

TURN_PATH = "/v1/voice/turn"
NOTICES_PATH = "/v1/notices"

bp = Blueprint("speaker_console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

harden(bp, fetches=True)  # the page posts each turn to its helper below


@bp.get("")
def page() -> str:
    return render_template("console/index.html", device_id=DEMO_DEVICE)


def _same_origin() -> bool:
    # a page on another origin must not drive the signer (the JSON content type already forces
    # a CORS preflight, which this app never grants; this is the belt to those braces)
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@bp.post("/api/turn")
def turn() -> Response:
    """Sign the body as the demo TV and hand it to POST /v1/voice/turn; answer what it answers."""
    if not request.is_json:
        return envelope(415, "unsupported_media_type", "Send the body as application/json.")
    if not _same_origin():
        return envelope(403, "forbidden", "The console helper answers its own page only.")
    body = request.get_data(cache=True)
    headers = signed_headers(DEMO_DEVICE, DEMO_DEVICE_SECRET, "POST", TURN_PATH, body,
                             now=time.time(), nonce=secrets.token_urlsafe(18))
    # the inner request gets this request's id, so its log lines and audit events match ours
    headers["X-Request-Id"] = str(g.get("request_id") or "")
    # in a copy of the context: the inner request binds and then clears its log context, which
    # would otherwise strip the request id from this request's own access line
    client = current_app.test_client()
    answer = contextvars.copy_context().run(client.post, TURN_PATH, data=body, headers=headers)
    return Response(answer.get_data(), status=answer.status_code, content_type="application/json",
                    headers={name: value for name, value in answer.headers.items()
                             if name in ("Retry-After", "X-Request-Id")})


@bp.get("/api/notices")
def notices() -> Response:
    """Sign a long poll of GET /v1/notices as the demo TV (CONTRACT §8), so the page shows
    notices as they come; only `after` and `wait` are passed on."""
    if not _same_origin():
        return envelope(403, "forbidden", "The console helper answers its own page only.")
    headers = signed_headers(DEMO_DEVICE, DEMO_DEVICE_SECRET, "GET", NOTICES_PATH, b"",
                             now=time.time(), nonce=secrets.token_urlsafe(18))
    headers["X-Request-Id"] = str(g.get("request_id") or "")
    query = {name: request.args[name] for name in ("after", "wait") if name in request.args}
    client = current_app.test_client()
    answer = contextvars.copy_context().run(client.get, NOTICES_PATH, query_string=query, headers=headers)
    return Response(answer.get_data(), status=answer.status_code, content_type="application/json")
