"""Held transfers, releasing them and calling them back by voice, over real HTTP on both
databases (CONTRACT §8)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from banking.auth import enrolment
from banking.core.formats import KST
from banking.platform.store.tables import audit_events, daily_usage, transfers as transfers_table
from banking.transfers import release
from tests.support import Clock


@pytest.fixture
def live(live_app_factory, memory_partners, http_device):
    app, url = live_app_factory(memory_partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    return services, memory_partners, services.clock, lambda: http_device(url)


def hold_all(services: Any, minutes: int) -> None:
    with services.db.begin() as conn:
        enrolment.set_hold(conn, "demo", minutes)


def used_today(services: Any) -> int:
    with services.db.read() as conn:
        return int(conn.execute(select(daily_usage.c.total).where(daily_usage.c.user_id == "demo")).scalar() or 0)


def debits(partners: Any, bank: str = "kbank") -> list[Any]:
    return [t for t in partners.adapters[bank].transactions("100-123-456789").transactions if t.amount < 0]


def event_types(services: Any, transfer_id: str) -> list[str]:
    with services.db.read() as conn:
        rows = conn.execute(select(audit_events.c.type, audit_events.c.detail)
                            .where(audit_events.c.type.like("transfer.%")).order_by(audit_events.c.seq)).all()
    return [r.type for r in rows if transfer_id in r.detail]


def send_held(device: Any, text: str = "엄마한테 5만원 보내줘") -> dict[str, Any]:
    assert device.turn(text, new=True)["awaiting"] == "pin"
    return device.turn("4826")


def test_new_payee_is_held_then_released_exactly_once(live):
    services, partners, clock, new_device = live
    with services.db.begin() as conn:
        enrolment.add_payee(conn, services.keys, "demo", "이모", "kbank", "100-555-000111", ())
    device = new_device()
    reply = send_held(device, "이모한테 5만원 보내줘")
    assert reply["status"] == "completed" and reply["intent"] == "transfer"
    assert reply["data"]["status"] == "held"
    due = clock() + dt.timedelta(minutes=services.settings.new_payee_hold_minutes)
    local = due.astimezone(KST)
    assert f"{local.hour % 12 or 12}시" in reply["speech"] and "보내 드릴게요" in reply["speech"]
    transfer_id = reply["data"]["transfer_id"]
    status, listed = device.request("GET", f"/v1/transfers/{transfer_id}")
    assert status == 200 and listed["status"] == "held"
    before = len(debits(partners))
    assert release.release_due(services) == 0  # not yet due
    clock.advance(minutes=services.settings.new_payee_hold_minutes, seconds=1)
    assert release.release_due(services) == 1
    assert release.release_due(services) == 0
    assert device.request("GET", f"/v1/transfers/{transfer_id}")[1]["status"] == "completed"
    assert len(debits(partners)) == before + 1
    assert event_types(services, transfer_id) == ["transfer.held", "transfer.released", "transfer.completed"]
    status, body = device.request("GET", "/v1/notices?after=0")
    assert status == 200
    assert [(n["kind"], n["transfer_id"]) for n in body["notices"]] == [
        ("transfer.released", transfer_id), ("transfer.completed", transfer_id)]


def test_demo_payees_and_a_user_without_holding_send_at_once(live):
    _, _, _, new_device = live
    assert send_held(new_device())["data"]["status"] == "completed"


@pytest.mark.parametrize("words,locale", [("방금 보낸 거 취소해줘", "ko-KR"), ("이체 취소해줘", "ko-KR"),
                                          ("이체 취소", "ko-KR"), ("cancel that transfer", "en-US")])
def test_cancel_by_voice_gives_the_limit_back(live, words, locale):
    services, partners, clock, new_device = live
    hold_all(services, 30)
    held = send_held(new_device())
    assert held["data"]["status"] == "held" and used_today(services) == 50_000
    transfer_id = held["data"]["transfer_id"]
    device = new_device()
    reply = device.turn(words, new=True)
    assert reply["intent"] == "transfer" and reply["awaiting"] == "pin", reply
    assert reply["slots"]["amount"] == 50_000 and reply["slots"]["payee"] == "엄마"
    assert ("엄마" in reply["speech"] and "5만" in reply["speech"]) if locale == "ko-KR" else "50,000" in reply["speech"]
    reply = device.turn("4826")
    assert (reply["intent"], reply["status"], reply["data"]["status"]) == ("transfer", "completed", "cancelled")
    assert used_today(services) == 0
    clock.advance(minutes=31)
    assert release.release_due(services) == 0
    assert device.request("GET", f"/v1/transfers/{transfer_id}")[1]["status"] == "cancelled"
    assert event_types(services, transfer_id) == ["transfer.held", "transfer.cancelled"]
    kinds = [n["kind"] for n in device.request("GET", "/v1/notices")[1]["notices"]]
    assert kinds == ["transfer.cancelled"]


def test_cancel_after_release_says_it_was_sent(live):
    services, _, clock, new_device = live
    hold_all(services, 3)
    send_held(new_device())
    device = new_device()
    assert device.turn("이체 취소해줘", new=True)["awaiting"] == "pin"
    clock.advance(minutes=4)  # within the conversation's five idle minutes
    assert release.release_due(services) == 1  # the scheduler wins the race
    reply = device.turn("4826")
    assert reply["status"] == "completed" and reply["data"]["status"] == "completed"
    assert "이미 보냈" in reply["speech"] and "취소했" not in reply["speech"]
    assert used_today(services) == 50_000


def test_already_sent_and_nothing_held(live):
    _, _, _, new_device = live
    device = new_device()
    reply = device.turn("cancel that transfer", new=True)
    assert (reply["intent"], reply["status"], reply["awaiting"]) == ("transfer", "completed", None)
    assert "no held transfer" in reply["speech"]
    send_held(device)
    reply = device.turn("방금 보낸 거 취소해줘", new=True)
    assert (reply["intent"], reply["status"], reply["awaiting"]) == ("transfer", "completed", None)
    assert "이미 보냈" in reply["speech"] and reply["data"] is None


def test_plain_cancel_still_ends_a_conversation(live):
    services, _, _, new_device = live
    hold_all(services, 30)
    device = new_device()
    assert device.turn("엄마한테 5만원 보내줘", new=True)["awaiting"] == "pin"
    reply = device.turn("이체 취소")
    assert reply["status"] == "cancelled" and reply["intent"] == "transfer"
    assert device.turn("그만", new=True)["status"] == "cancelled"


def test_daily_limit_counts_held_transfers_on_the_day_they_were_made(live):
    services, _, clock, new_device = live
    hold_all(services, 60 * 24)
    for _ in range(2):
        device = new_device()
        device.turn("우리은행에서 엄마한테 100만원 보내줘", new=True)
        device.turn("4826")
        assert device.turn(clock.otp())["data"]["status"] == "held"
        clock.advance(seconds=31)
    reply = new_device().turn("엄마한테 만원 보내줘", new=True)
    assert reply["status"] == "rejected" and "한도" in reply["speech"]
    # released on another day, they still count on the day they were made, and only there
    made_on = used_today(services)
    clock.advance(days=1, minutes=1)
    assert release.release_due(services) == 2
    with services.db.read() as conn:
        days = dict(conn.execute(select(daily_usage.c.day, daily_usage.c.total)).all())
    assert made_on == 2_000_000 and list(days.values()) == [2_000_000]
    assert new_device().turn("엄마한테 5만원 보내줘", new=True)["awaiting"] == "pin"


def test_a_held_transfer_whose_sender_died_after_release_is_sent_once(live):
    """What SIGKILL between release and send leaves: `pending`, no send begun, `send_by`
    passed. The reconciler sends it (once), rather than failing it."""
    services, partners, clock, new_device = live
    hold_all(services, 10)
    transfer_id = send_held(new_device())["data"]["transfer_id"]
    clock.advance(minutes=11)
    assert release.release_one(services) is not None  # ... and the process dies here
    before = len(debits(partners))
    clock.advance(seconds=60)
    from banking.transfers import reconcile
    reconcile.reconcile_once(services)
    reconcile.reconcile_once(services)
    with services.db.read() as conn:
        status = conn.execute(select(transfers_table.c.status).where(transfers_table.c.id == transfer_id)).scalar()
    assert status == "completed" and len(debits(partners)) == before + 1
