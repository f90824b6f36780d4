"""A PIN said in the same sentence as the request never reaches the audit trail or an export,
whatever the conversation awaited (CONTRACT, second revision, §4.1 rule 7); on SQLite and
PostgreSQL."""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from banking.platform.store.tables import audit_events
from tests import leak_scan
from tests.support import Device

AUDITOR = {"Authorization": "Bearer demo-auditor-token"}
PIN = leak_scan._PATTERNS["demo PIN"]
SPOKEN_PIN = leak_scan._PATTERNS["demo PIN, spoken"]


def turn_utterances(services: Any) -> list[str]:
    with services.db.read() as conn:
        details = conn.execute(select(audit_events.c.detail).where(audit_events.c.type == "turn")
                               .order_by(audit_events.c.seq)).scalars().all()
    return [json.loads(d)["utterance"] for d in details]


@pytest.mark.parametrize("said,kept", [
    ("잔액 알려줘 비밀번호 4826", "잔액 알려줘 비밀번호 [digits]"),
    ("엄마한테 5만원 보내줘 4826", "엄마한테 5만원 보내줘 [digits]"),
    ("what's my balance four eight two six", "what's my balance [digits]"),
    ("엄마한테 오만 원 보내줘 비번 사 팔 이 육", "엄마한테 오만 원 보내줘 비번 [digits]"),
    ("send fifty thousand won to mom, my pin is 4 팔 2 six", "send fifty thousand won to mom, my pin is [digits]"),
    ("100-123-456789에서 엄마한테 5만원 보내줘", "[digits]에서 엄마한테 5만원 보내줘"),
])
def test_a_pin_in_the_request_is_redacted_in_the_trail(device: Device, services: Any, said: str, kept: str) -> None:
    device.turn(said, new=True)     # a new conversation: nothing awaited a PIN
    assert turn_utterances(services) == [kept]


def test_a_pin_said_while_awaited_stays_a_pin_placeholder(device: Device, services: Any) -> None:
    device.turn("잔액 알려줘", new=True)
    assert device.turn("사팔이육")["status"] == "completed"
    assert turn_utterances(services) == ["잔액 알려줘", "[pin]"]


def test_no_form_of_the_pin_in_events_or_exports(device: Device, services: Any, client: Any) -> None:
    for said in ["잔액 알려줘 비밀번호 4826", "엄마한테 5만원 보내줘 사팔이육", "what's my balance four eight two six",
                 "엄마한테 5만원 보내줘 4-8-2-6"]:
        device.turn(said, new=True)
    for fmt in ("jsonl", "csv"):
        export = client.get("/v1/audit/export", query_string={"format": fmt, "type": "turn"}, headers=AUDITOR)
        assert export.status_code == 200
        text = export.get_data(as_text=True)
        assert text.count("[digits]") == 4 and "5만원" in text
        assert not PIN.search(text) and not SPOKEN_PIN.search(text)
    events = client.get("/v1/audit/events", query_string={"type": "turn"}, headers=AUDITOR)
    text = events.get_data(as_text=True)
    assert events.status_code == 200 and "[digits]" in text
    assert not PIN.search(text) and not SPOKEN_PIN.search(text)
