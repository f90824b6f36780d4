"""The device request signature of CONTRACT §3, as pure functions."""
from __future__ import annotations

import hashlib
import hmac
import re

NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        (method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest())
    ).encode()


def sign(secret: str | bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, string_to_sign(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def signed_headers(device_id: str, secret: str, method: str, path: str, body: bytes,
                   *, now: float, nonce: str) -> dict[str, str]:
    """What a device sends; used by `flask talk`, the console helper, tests and benchmarks."""
    timestamp = str(int(now))
    return {
        "X-Device-Id": device_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": sign(secret, method, path, timestamp, nonce, body),
        "Content-Type": "application/json",
    }
