"""Device authentication at the HTTP edge: runs before any body is validated (CONTRACT §3)."""
from __future__ import annotations

import datetime as dt
import functools
import hmac
import re
import time
from dataclasses import dataclass

from flask import Response, g, request
from sqlalchemy import Connection, bindparam, exists, func, select

from banking.auth import signing
from banking.platform.http import errors
from banking.platform.http.errors import ApiError
from banking.platform.security import crypto
from banking.platform.services import Services, current
from banking.platform.store import UnitOfWork, insert_ignore
from banking.platform.store.direct import Direct
from banking.platform.store.tables import devices, nonces

#: printable ASCII: a header carries nothing else faithfully, and a control byte (NUL, which
#: PostgreSQL text cannot hold) must fail as a bad signature, never reach the database
DEVICE_ID_RE = re.compile(r"[\x20-\x7e]{1,64}")


def _unauthorized(message: str = "The request signature is missing or wrong.") -> ApiError:
    return ApiError(401, "unauthorized", message)


@dataclass(frozen=True)
class _Device:
    user_id: str
    secret_enc: bytes
    secret: str


#: decrypted device secrets by (service, device id). Only a hint: every request re-reads the
#: device row in its nonce check (`_gate`) and is accepted only when that row (not revoked,
#: same ciphertext) still matches, so revocation and secret rotation take effect at once.
_KNOWN: dict[tuple[int, str], _Device] = {}
_KNOWN_MAX = 10_000

_DEVICE = select(devices.c.user_id, devices.c.secret_enc).where(
    devices.c.id == bindparam("device_id"), devices.c.revoked_at.is_(None))


@functools.lru_cache(maxsize=8)
def _gate(limit: int) -> Direct:
    """One statement for the edge's three questions: does the device still stand (user and
    secret as cached), was this nonce used, and how many requests in the window. Counting
    stops past the limit: a flooding device costs no more per request than the limit allows."""
    device = devices.c.id == bindparam("device_id")
    active = devices.c.revoked_at.is_(None)
    recent = (select(nonces.c.nonce).where(nonces.c.device_id == bindparam("device_id"),
                                           nonces.c.seen_at > bindparam("since"))
              .limit(limit + 1).subquery())
    return Direct(select(
        select(devices.c.user_id).where(device, active).scalar_subquery().label("user_id"),
        select(devices.c.secret_enc).where(device, active).scalar_subquery().label("secret_enc"),
        exists().where(nonces.c.device_id == bindparam("device_id"),
                       nonces.c.nonce == bindparam("nonce")).label("used"),
        select(func.count()).select_from(recent).scalar_subquery().label("recent"),
    ))


def _decrypt(services: Services, device_id: str, user_id: str, secret_enc: bytes) -> _Device:
    secret = crypto.decrypt(services.keys.encryption, secret_enc, context=f"device:{device_id}")
    return _Device(user_id, secret_enc, secret.decode())


def _known(services: Services, device_id: str) -> _Device | None:
    key = (id(services), device_id)
    found = _KNOWN.get(key)
    if found is None:
        with services.db.read() as conn:
            row = conn.execute(_DEVICE, {"device_id": device_id}).first()
        if row is None:
            return None  # unknown ids are never cached: they would let anyone fill the cache
        found = _decrypt(services, device_id, row.user_id, row.secret_enc)
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN[key] = found
    return found


class _Stale(Exception):
    """The cached device no longer matches its row (revoked, re-keyed, another database)."""


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
    if not (DEVICE_ID_RE.fullmatch(device_id) and signing.TIMESTAMP_RE.fullmatch(timestamp)
            and signing.NONCE_RE.fullmatch(nonce) and signing.SIGNATURE_RE.fullmatch(signature)):
        raise _unauthorized()
    for attempt in (1, 2):
        found = _known(services, device_id)
        # compute a signature even for unknown devices so timing does not reveal which ids exist
        secret = found.secret if found else "unknown-device"
        expected = signing.sign(secret, request.method, request.path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, signature) or found is None:
            raise _unauthorized()
        now = time.time()
        if abs(now - int(timestamp)) > services.settings.signature_window_s:
            raise _unauthorized("The request timestamp is outside the allowed window.")
        try:
            recent, held = _check_nonce(services, device_id, nonce, found, now)
            break
        except _Stale:
            _KNOWN.pop((id(services), device_id), None)
            if attempt == 2:
                raise _unauthorized() from None
    if recent >= services.settings.device_requests_per_minute:  # this request is the next one
        held.close()
        raise ApiError(429, "too_many_requests", "Too many requests from this device; slow down.",
                       headers={"Retry-After": "60"})
    # the request's work continues the read the nonce was checked in, and spends the nonce
    # with its first commit (or on its own once the answer is ready, if nothing was written)
    g.nonce = _Nonce(device_id, nonce, dt.datetime.fromtimestamp(now, dt.UTC))
    g.unit_of_work = UnitOfWork(services.db, held=held, spend=g.nonce.spend)
    g.device_id = device_id
    g.user_id = found.user_id


def unit_of_work() -> UnitOfWork:
    """The unit of work the edge began for this signed request."""
    uow: UnitOfWork = g.unit_of_work
    return uow


def _check_nonce(services: Services, device_id: str, nonce: str, device: _Device,
                 now: float) -> tuple[int, Connection]:
    """In one read transaction: the device still stands as the signature was checked
    against, the nonce is new, and how many requests it made in the last minute. Returns
    the count and the transaction, still open, for the request's unit of work to continue
    (one snapshot, one round of BEGIN and COMMIT for the request's reads)."""
    at = dt.datetime.fromtimestamp(now, dt.UTC)
    limit = services.settings.device_requests_per_minute
    held = services.db.hold_read()
    try:
        row = _gate(limit).one(held, {"device_id": device_id, "nonce": nonce,
                                      "since": at - dt.timedelta(seconds=60)})
        if row.user_id != device.user_id or row.secret_enc != device.secret_enc:
            raise _Stale
        if row.used:
            raise _unauthorized("The request nonce was already used.")
    except BaseException:
        held.close()
        raise
    return int(row.recent), held


@dataclass
class _Nonce:
    """The request's nonce, spent by its unit of work's first commit."""

    device_id: str
    nonce: str
    at: dt.datetime
    replayed: bool = False

    def spend(self, conn: Connection) -> None:
        if not insert_ignore(conn, nonces, {"device_id": self.device_id, "nonce": self.nonce, "seen_at": self.at}):
            # a replay raced the original past the check: it fails here, changing nothing
            self.replayed = True
            raise _unauthorized("The request nonce was already used.")


def spend_unspent_nonce(response: Response) -> Response:
    """after_request: a request that wrote nothing (an error, a read) still uses its nonce."""
    uow: UnitOfWork | None = g.get("unit_of_work")
    if uow is None or g.nonce.replayed:
        return response
    try:
        uow.finish()
    except ApiError as exc:
        return errors.http_error(exc)
    return response


def forget_request_state(_exc: BaseException | None = None) -> None:
    """teardown_request: the read the edge began and nobody continued ends with the request."""
    uow: UnitOfWork | None = g.pop("unit_of_work", None)
    if uow is not None:
        uow.close()


@functools.lru_cache(maxsize=8)
def _assistant_gate(limit: int) -> Direct:
    """`_gate` for an assistant device: its platform vouched for the request (no device row,
    no secret); only the request id spent and the rate are asked."""
    recent = (select(nonces.c.nonce).where(nonces.c.device_id == bindparam("device_id"),
                                           nonces.c.seen_at > bindparam("since"))
              .limit(limit + 1).subquery())
    return Direct(select(
        exists().where(nonces.c.device_id == bindparam("device_id"),
                       nonces.c.nonce == bindparam("nonce")).label("used"),
        select(func.count()).select_from(recent).scalar_subquery().label("recent"),
    ))


def assistant_unit_of_work(services: Services, device_id: str, nonce: str) -> UnitOfWork:
    """The unit of work of a request an assistant platform sent for one of its devices
    (CONTRACT §7): the platform's request id (or a fresh one) stands for the device nonce, so
    the device is rate-limited like a device (§4.4) and a replayed request changes nothing."""
    at = dt.datetime.now(dt.UTC)
    limit = services.settings.device_requests_per_minute
    held = services.db.hold_read()
    try:
        row = _assistant_gate(limit).one(held, {"device_id": device_id, "nonce": nonce,
                                                "since": at - dt.timedelta(seconds=60)})
        if row.used:
            raise ApiError(400, "replayed_request", "This request was already handled.")
        if int(row.recent) >= limit:
            raise ApiError(429, "too_many_requests", "Too many requests from this device; slow down.",
                           headers={"Retry-After": "60"})
    except BaseException:
        held.close()
        raise
    return UnitOfWork(services.db, held=held, spend=_Nonce(device_id, nonce, at).spend)
