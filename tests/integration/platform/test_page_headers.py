"""The consoles' pages carry the same security headers; only the speaker console's script may
call the app."""
from __future__ import annotations

from typing import Any

import pytest

_SAME = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@pytest.mark.parametrize("path, connect", [("/audit/signin", False), ("/console", True)])
def test_console_pages_are_served_with_the_security_headers(client: Any, path: str, connect: bool) -> None:
    response = client.get(path)
    assert response.status_code == 200
    for name, value in _SAME.items():
        assert response.headers[name] == value
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + ("connect-src 'self'; " if connect else "")
        + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
