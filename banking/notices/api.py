"""GET /v1/notices?after=ID&wait=S (CONTRACT §8), signed as any device request.

A long poll must not starve voice turns: the edge's read transaction is ended and the nonce
spent before it waits; it then looks again every `POLL_S` in a short read of its own, and at
most `settings.notice_waiters` polls of one process wait at once (others answer at once, with
what there is), so waiting devices never hold every request thread."""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import g

from banking.auth import device_auth
from banking.notices import repository
from banking.notices.model import Notice
from banking.notices.schemas import NoticeListSchema, NoticeQuerySchema
from banking.platform.http import docs
from banking.platform.http.parsing import Blueprint
from banking.platform.services import Services, current

blp = Blueprint("notices", __name__, url_prefix="/v1/notices", description="Notices for the device's user")
blp.before_request(device_auth.authenticate_device)
blp.after_request(device_auth.spend_unspent_nonce)
blp.teardown_request(device_auth.forget_request_state)

#: how often a waiting poll looks again
POLL_S = 0.5
_WAITERS: dict[int, threading.BoundedSemaphore] = {}
_WAITERS_LOCK = threading.Lock()

_EXAMPLE = {"id": 42, "at": "2026-03-02T06:20:00+00:00", "kind": "transfer.released",
            "speech": "예약한 이체를 보냈어요: 엄마님에게 5만 원.",
            "card": {"title": "송금", "lines": ["예약한 이체를 보냈어요: 엄마님에게 5만 원."]},
            "transfer_id": "tr_3f2c0e6b9a6f4c1d8e0f1a2b3c4d5e6f"}


def _waiters(services: Services) -> threading.BoundedSemaphore:
    with _WAITERS_LOCK:
        return _WAITERS.setdefault(id(services), threading.BoundedSemaphore(services.settings.notice_waiters))


@blp.route("", methods=["GET"])
@blp.doc(security=docs.DEVICE_SECURITY)
@blp.arguments(NoticeQuerySchema(), location="query")
@blp.response(200, NoticeListSchema, example={"notices": [_EXAMPLE]})
@docs.errors(blp, docs.DEVICE_ERRORS | {422: "Bad query: `after` a whole number from 0, `wait` 0 to 25"})
def list_notices(query: dict[str, Any]) -> dict[str, Any]:
    """The user's notices after `after`, oldest first; waits up to `wait` seconds for one."""
    services, user_id, after = current(), g.user_id, query["after"]
    uow = device_auth.unit_of_work()
    with uow.read() as conn:  # the read the edge checked the nonce in, continued and ended
        found = repository.after(conn, user_id, after)
    if found or query["wait"] <= 0:
        return _answer(found)
    uow.finish()  # spent now: a replay while this waits is refused at the edge
    waiters = _waiters(services)
    if not waiters.acquire(blocking=False):
        return _answer(found)
    try:
        deadline = time.monotonic() + query["wait"]
        while not found and time.monotonic() < deadline:
            time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
            with services.db.read() as conn:
                found = repository.after(conn, user_id, after)
    finally:
        waiters.release()
    return _answer(found)


def _answer(found: list[Notice]) -> dict[str, Any]:
    return {"notices": [n.to_json() for n in found]}
