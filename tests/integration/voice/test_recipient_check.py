"""The recipient check (오픈뱅킹 수취조회, CONTRACT §10): before the read-back the payee's bank
is asked who holds the payee's account; the read-back says the holder masked, a holder who is
not the payee's registered one ends the transfer `rejected` before any PIN, and a bank that
cannot say ends it `failed` within the turn's budget, with nothing reserved or sent."""
from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.base import OutcomeUnknown
from adapters.sandbox.testing import set_fault
from banking.auth import enrolment
from banking.platform.store.tables import audit_events, transfers
from tests.support import Device


def _count(services: Any, table: Any, *where: Any) -> int:
    with services.db.read() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _holder_calls(services: Any) -> int:
    return _count(services, audit_events, audit_events.c.type == "partner.holder_name")


def test_the_read_back_says_the_holder_masked_and_the_pin_turn_does_not_ask_again(device: Device,
                                                                                   services: Any) -> None:
    reply = device.turn("엄마한테 3만원 보내줘")
    assert reply["awaiting"] == "pin" and "예금주 박*영" in reply["speech"]
    assert "박미영" not in reply["speech"] + reply["ssml"] + str(reply["card"])
    assert _holder_calls(services) == 1
    reply = device.turn("4826")
    assert reply["status"] == "completed" and _holder_calls(services) == 1


def test_english_read_back_and_a_changed_payee_asks_again(device: Device, services: Any) -> None:
    reply = device.turn("send 30,000 won to mom")
    assert reply["awaiting"] == "pin" and "account holder 박*영" in reply["speech"]
    reply = device.turn("send it to dad")
    assert reply["awaiting"] == "pin" and reply["slots"]["payee"] == "아빠" and "김*수" in reply["speech"]
    assert _holder_calls(services) == 2


def test_a_holder_who_is_not_the_registered_one_is_rejected_before_any_pin(device: Device, services: Any) -> None:
    with services.db.begin() as conn:  # the number is 박미영's at Woori; registered as someone else's
        enrolment.add_payee(conn, services.keys, "demo", "이모", "woori", "1002-987-654321", ("Aunt",),
                            holder="홍길동")
    reply = device.turn("이모한테 3만원 보내줘")
    assert (reply["status"], reply["awaiting"]) == ("rejected", None)
    assert "받는 분 정보를 확인해 주세요" in reply["speech"] and "PIN" not in reply["speech"]
    assert "홍길동" not in reply["speech"] and "박미영" not in reply["speech"]
    assert _count(services, transfers) == 0


def test_an_account_the_bank_does_not_have_is_rejected(device: Device, services: Any) -> None:
    with services.db.begin() as conn:
        enrolment.add_payee(conn, services.keys, "demo", "이모", "woori", "1002-000-000000", (), holder="홍길동")
    reply = device.turn("이모한테 3만원 보내줘")
    assert reply["status"] == "rejected" and _count(services, transfers) == 0


def test_a_failed_inquiry_ends_the_turn_failed_with_nothing_sent(device: Device, services: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_account: str) -> str:
        raise OutcomeUnknown("HTTP 503", code="503")

    monkeypatch.setattr(services.partners.adapters["woori"], "holder_name", broken)
    reply = device.turn("엄마한테 3만원 보내줘")
    assert (reply["status"], reply["awaiting"]) == ("failed", None)
    assert "예금주를 확인하지 못해서" in reply["speech"] and "다시 시도해" in reply["speech"]
    assert _count(services, transfers) == 0
    reply = device.turn("send 30,000 won to mom", new=True)
    assert reply["status"] == "failed" and "couldn't confirm" in reply["speech"]


def test_a_hanging_inquiry_does_not_block_the_turn_beyond_its_budget(live_app_factory, memory_partners: Any,
                                                                    http_device: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def hanging(_account: str) -> str:
        time.sleep(4)
        return "박미영"

    monkeypatch.setattr(memory_partners.adapters["woori"], "holder_name", hanging)
    app, url = live_app_factory(memory_partners, turn_budget_s=2.0)
    started = time.monotonic()
    reply = http_device(url).turn("엄마한테 3만원 보내줘")
    assert time.monotonic() - started < 2.5
    assert reply["status"] == "failed" and _count(app.extensions["couchbank"], transfers) == 0


def test_over_http_against_the_sandboxes(live_app_factory, sandbox_partners: Any, http_device: Any) -> None:
    app, url = live_app_factory(sandbox_partners)
    services = app.extensions["couchbank"]
    reply = http_device(url).turn("아빠한테 만원 보내줘")  # K-Bank's 수취조회
    assert reply["awaiting"] == "pin" and "김*수" in reply["speech"]
    reply = http_device(url).turn("철수한테 만원 보내줘")  # Woori's
    assert reply["awaiting"] == "pin" and "김*수" in reply["speech"]
    set_fault(sandbox_partners.adapters["woori"].endpoint, op="any", mode="error_500", count=4)
    reply = http_device(url).turn("엄마한테 만원 보내줘")
    assert reply["status"] == "failed" and _count(services, transfers) == 0
