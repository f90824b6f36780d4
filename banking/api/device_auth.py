"""Device authentication at the HTTP edge: runs before any body is validated (CONTRACT §3)."""
from __future__ import annotations

import datetime as dt
import hmac
import time

from flask import g, request
from sqlalchemy import func, select

from banking.api.errors import ApiError
from banking.security import crypto, signing
from banking.services import Services, current
from banking.store import insert_ignore
from banking.store.tables import devices, nonces


def _unauthorized(message: str = "The request signature is missing or wrong.") -> ApiError:
    return ApiError(401, "unauthorized", message)


def device_secret(services: Services, device_id: str) -> tuple[str, str] | None:
    """(user_id, secret) of an active device, or None."""
    with services.db.read() as conn:
        row = conn.execute(
            select(devices.c.user_id, devices.c.secret_enc).where(
                devices.c.id == device_id, devices.c.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        return None
    secret = crypto.decrypt(services.keys.encryption, row.secret_enc, context=f"device:{device_id}")
    return row.user_id, secret.decode()


def authenticate_device() -> None:
    """Flask before_request hook for device blueprints; sets g.device_id and g.user_id."""
    services = current()
    if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    body = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    headers = request.headers
    if "Authorization" in headers and "X-Signature" not in headers:
        raise ApiError(403, "forbidden", "This route is for devices; auditor tokens are not accepted here.")
    device_id = headers.get("X-Device-Id", "")
    timestamp = headers.get("X-Timestamp", "")
    nonce = headers.get("X-Nonce", "")
    signature = headers.get("X-Signature", "")
    if not (device_id and len(device_id) <= 64 and signing.TIMESTAMP_RE.fullmatch(timestamp)
            and signing.NONCE_RE.fullmatch(nonce) and signing.SIGNATURE_RE.fullmatch(signature)):
        raise _unauthorized()
    found = device_secret(services, device_id)
    # compute a signature even for unknown devices so timing does not reveal which ids exist
    user_id, secret = found if found else (None, "unknown-device")
    expected = signing.sign(secret, request.method, request.path, timestamp, nonce, body)
    if not hmac.compare_digest(expected, signature) or user_id is None:
        raise _unauthorized()
    now = time.time()
    if abs(now - int(timestamp)) > services.settings.signature_window_s:
        raise _unauthorized("The request timestamp is outside the allowed window.")
    at = dt.datetime.fromtimestamp(now, dt.UTC)
    with services.db.begin() as conn:
        if not insert_ignore(conn, nonces, {"device_id": device_id, "nonce": nonce, "seen_at": at}):
            raise _unauthorized("The request nonce was already used.")
        recent = conn.execute(
            select(func.count()).select_from(nonces).where(
                nonces.c.device_id == device_id, nonces.c.seen_at > at - dt.timedelta(seconds=60)
            )
        ).scalar_one()
    if recent > services.settings.device_requests_per_minute:
        raise ApiError(429, "too_many_requests", "Too many requests from this device; slow down.",
                       headers={"Retry-After": "60"})
    g.device_id = device_id
    g.user_id = user_id
