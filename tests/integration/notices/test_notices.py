"""GET /v1/notices (CONTRACT §8): signed as any device request, per user, oldest first,
long polling, resumed with `after=` across a reconnect, pruned after 7 days."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from banking.auth import enrolment
from banking.notices import jobs
from banking.transfers import release
from tests.support import Clock

KEYS = {"id", "at", "kind", "speech", "card", "transfer_id"}


@pytest.fixture
def live(live_app_factory, memory_partners, http_device):
    app, url = live_app_factory(memory_partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    return services, services.clock, lambda: http_device(url)


def hold_and_send(services: Any, new_device: Any, times: int) -> list[str]:
    with services.db.begin() as conn:
        enrolment.set_hold(conn, "demo", 1)
    ids = []
    for _ in range(times):
        device = new_device()
        device.turn("엄마한테 만원 보내줘", new=True)
        ids.append(device.turn("4826")["data"]["transfer_id"])
    return ids


def notices(device: Any, query: str = "") -> list[dict[str, Any]]:
    status, body = device.request("GET", "/v1/notices" + query)
    assert status == 200, body
    return body["notices"]


def test_in_order_once_per_device_across_a_reconnect(live):
    services, clock, new_device = live
    ids = hold_and_send(services, new_device, 3)
    clock.advance(minutes=2)
    release.release_one(services)  # the first goes out; the device reads, then "reconnects"
    device = new_device()
    first = notices(device)
    assert [n["kind"] for n in first] == ["transfer.released"] and first[0]["transfer_id"] == ids[0]
    assert set(first[0]) == KEYS and first[0]["card"]["lines"]
    release.release_due(services)
    seen = first[-1]["id"]
    later = notices(new_device(), f"?after={seen}")  # a new connection resumes after the last one it had
    assert all(n["id"] > seen for n in later)
    assert [n["id"] for n in later] == sorted(n["id"] for n in later)
    everything = notices(device, "?after=0")
    assert [n["id"] for n in everything] == [n["id"] for n in first + later]  # each once, none lost
    assert notices(device, f"?after={everything[-1]['id']}") == []


def test_long_poll_wakes_when_a_notice_arrives(live):
    services, clock, new_device = live
    hold_and_send(services, new_device, 1)
    clock.advance(minutes=2)
    device = new_device()
    got: list[Any] = []
    started = time.monotonic()
    poll = threading.Thread(target=lambda: got.append(notices(device, "?wait=10")))
    poll.start()
    time.sleep(1.0)
    # a voice turn is answered while the poll waits
    assert new_device().turn("도움말", new=True)["status"] == "completed"
    release.release_one(services)
    poll.join(15)
    assert got and got[0] and got[0][0]["kind"] == "transfer.released"
    assert time.monotonic() - started < 8


def test_an_empty_long_poll_ends_after_wait(live):
    _, _, new_device = live
    started = time.monotonic()
    assert notices(new_device(), "?wait=1") == []
    assert 0.9 <= time.monotonic() - started < 5


def test_a_lockout_is_a_notice_without_secrets(live):
    _, _, new_device = live
    device = new_device()
    device.turn("잔액 알려줘", new=True)
    for _ in range(5):
        device.turn("1111")
    (lock,) = notices(new_device())
    assert lock["kind"] == "auth.lock" and lock["transfer_id"] is None and "30분" in lock["speech"]
    assert "1111" not in str(lock)


def test_notices_are_the_users_own_and_pruned_after_7_days(live):
    services, clock, new_device = live
    hold_and_send(services, new_device, 1)
    clock.advance(minutes=2)
    release.release_due(services)
    with services.db.begin() as conn:
        enrolment.create_user(conn, "other", "다른 사람")
        enrolment.register_device(conn, services.keys, "other", "other-tv", "other-tv-secret-0123456789")
    other = new_device()
    other.device_id, other.secret = "other-tv", "other-tv-secret-0123456789"
    assert notices(other) == []
    assert notices(new_device())
    clock.advance(days=6)
    assert jobs.prune(services) == 0
    clock.advance(days=1, minutes=1)
    assert jobs.prune(services) == 2
    assert notices(new_device()) == []


@pytest.mark.parametrize("query", ["?after=-1", "?after=abc", "?wait=26", "?wait=-1", "?wait=nan", "?wait=inf",
                                   "?after=99999999999999999999999", "?after=1.5", "?wait=%00"])
def test_bad_queries_are_4xx_envelopes(live, query):
    _, _, new_device = live
    status, body = new_device().request("GET", "/v1/notices" + query)
    assert status == 422 and set(body["error"]) == {"code", "message", "fields"}


def test_unsigned_is_401(live):
    _, _, new_device = live
    device = new_device()
    status, body = device.send("GET", "/v1/notices", b"", {})
    assert status == 401 and body["error"]["code"] == "unauthorized"
