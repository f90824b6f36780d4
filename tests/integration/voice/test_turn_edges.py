"""Conversations belong to their device, keep their language, and every partner call is an
event, also one that finishes after its turn has answered (CONTRACT, second revision)."""
from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from adapters import registry
from adapters.base import Balance
from adapters.memory import MemoryAdapter
from banking.auth import enrolment
from banking.platform.partners import Partners
from banking.platform.store.tables import audit_events
from tests.support import Device, flask_transport


def second_device(app: Any, client: Any) -> Device:
    services = app.extensions["couchbank"]
    with services.db.begin() as conn:
        secret = enrolment.register_device(conn, services.keys, "demo", "demo-speaker")
    return Device(flask_transport(client), device_id="demo-speaker", secret=secret)


def test_another_device_naming_a_session_starts_a_new_conversation(app, client, device):
    device.turn("엄마한테 5만원 보내줘", new=True)
    assert device.history[-1]["awaiting"] == "pin"
    other = second_device(app, client)
    other.session_id = device.session_id
    reply = other.turn("4826")
    assert reply["session_id"] != device.session_id
    assert reply["intent"] != "transfer" and reply["data"] is None
    # the first device's conversation is untouched and still awaits its PIN
    assert device.turn("4826")["data"]["status"] == "completed"


def test_a_verified_session_cannot_be_read_from_another_device(app, client, device):
    device.turn("잔액 알려줘", new=True)
    assert device.turn("4826")["status"] == "completed"
    other = second_device(app, client)
    other.session_id = device.session_id
    reply = other.turn("잔액 알려줘")
    assert reply["session_id"] != device.session_id
    assert reply["awaiting"] == "pin" and reply["data"] is None


def test_digits_alone_keep_the_users_language(device):
    reply = device.turn("4 8 2 6", new=True)
    assert any("\uac00" <= ch <= "\ud7a3" for ch in reply["speech"]), reply["speech"]
    device.turn("what's my balance", new=True)
    device.turn("four eight two six")
    reply = device.turn("4826", new=True)
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in reply["speech"]), reply["speech"]


class SlowBalances(MemoryAdapter):
    def balance(self, account: str) -> Balance:
        time.sleep(1.0)
        return super().balance(account)


def test_a_partner_call_that_finishes_after_its_turn_is_still_an_event(live_app_factory, http_device):
    partners = Partners({**{bank.code: MemoryAdapter(bank.code) for bank in registry.catalogue()},
                         "kbank": SlowBalances("kbank")})
    app, url = live_app_factory(partners, turn_budget_s=0.3)
    services = app.extensions["couchbank"]
    device = http_device(url)
    device.turn("케이뱅크 잔액 알려줘")
    reply = device.turn("4826")
    assert reply["status"] == "failed"  # the bank was too slow for the turn
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with services.db.read() as conn:
            details = [json.loads(d) for d in conn.execute(
                select(audit_events.c.detail).where(audit_events.c.type == "partner.balance")).scalars()]
        if details:
            break
        time.sleep(0.1)
    assert details and details[0]["adapter"] == "kbank" and details[0]["outcome"] == "ok"
