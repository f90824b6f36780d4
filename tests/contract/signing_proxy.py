"""A WSGI wrapper that signs device requests as the demo TV at the last moment, over the exact
bytes the app receives: schemathesis serializes bodies itself, so a signature computed before
it sends would not match. Only requests that carry the placeholder are signed, so a request
whose credentials a check removed or replaced still reaches the app unsigned."""
from __future__ import annotations

import io
import secrets
import time
from typing import Any, Callable

from banking.auth.signing import sign
from banking.demo.seed import DEMO_AUDITOR_TOKEN, DEMO_DEVICE, DEMO_DEVICE_SECRET

PLACEHOLDER = "sign-me-as-the-demo-device"


def credentials_for(security: list[dict[str, Any]]) -> dict[str, str]:
    """The headers an operation's declared security asks for: the device placeholder (signed
    on the way in) or the demo auditor's bearer token."""
    schemes = {name for requirement in security for name in requirement}
    if "DeviceSignature" in schemes:
        return {"X-Device-Id": DEMO_DEVICE, "X-Timestamp": "0", "X-Nonce": PLACEHOLDER,
                "X-Signature": PLACEHOLDER}
    if "AuditorToken" in schemes:
        return {"Authorization": f"Bearer {DEMO_AUDITOR_TOKEN}"}
    return {}


class SigningProxy:
    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("HTTP_X_SIGNATURE") == PLACEHOLDER:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(18)
            environ["HTTP_X_TIMESTAMP"] = timestamp
            environ["HTTP_X_NONCE"] = nonce
            # the app signs over the decoded path, as werkzeug decodes PATH_INFO
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
            environ["HTTP_X_SIGNATURE"] = sign(DEMO_DEVICE_SECRET, environ["REQUEST_METHOD"], path,
                                               timestamp, nonce, body)
        return self.target(environ, start_response)
