"""Hostile text through signed voice turns, also mid-conversation: never a 500, always the
response schema, and no money moves. The fuzzer never speaks the demo PIN (4826), so the
`transfers` table must stay empty whatever it says."""
from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from sqlalchemy import func, select, update

from banking.demo.seed import DEMO_USER
from banking.platform.store.tables import transfers, users
from banking.voice.schemas import VoiceTurnResponseSchema
from tests.support import Device, flask_transport

FRAGMENTS = [
    "'; DROP TABLE transfers; --", "\" OR 1=1 --", "<script>alert(1)</script>", "<b>엄마</b>",
    "{{7*7}}", "${jndi:ldap://x}", "%s%n", "../../etc/passwd", "\u202e만원 보내줘", "\u200f엄마\u200f",
    "\u200b\u200d\ufeff", "👨‍👩‍👧 엄마한테 💸", "\x00", "\x1b[31m", "\r\n", "\t\v\f", "\ud800", "\udfff",
    "\x7f", "\x85", "\x9b31m",
    "보내지 마", "취소", "예", "아니", "1000000000000000000000", "-5만원", "0원", "NaN", "∞",
    "엄마한테", "아빠한테 40만원", "삼만 오천 원", "fifty thousand won", "１２３", "٣٤٥",
]

# digits without 4, so no run of them can contain the PIN, in either spelling
_DIGITS = st.text(alphabet="0123567 9", min_size=1, max_size=500)
_ANY = st.text(alphabet=st.characters(codec=None, exclude_categories=()), min_size=1, max_size=80)
_CONTROL = st.text(alphabet=st.one_of(st.characters(min_codepoint=0, max_codepoint=0x1F),
                                      st.characters(min_codepoint=0x7F, max_codepoint=0x9F)), min_size=1, max_size=20)
_MIXED = st.lists(st.one_of(st.sampled_from(FRAGMENTS), _CONTROL, _ANY), min_size=1, max_size=6).map("".join)
HOSTILE = st.one_of(_DIGITS, _ANY, _CONTROL, _MIXED, st.sampled_from(FRAGMENTS))

_SCHEMA = VoiceTurnResponseSchema()
_PIN_WORDS = re.compile(r"사\s*팔\s*이\s*육|four\s*eight\s*two\s*six", re.IGNORECASE)


def _refused_by_schema(text: str) -> bool:
    """What the request schema forbids: length, C0 controls but tab and line breaks, DEL, C1
    controls, lone surrogates."""
    return (not 1 <= len(text) <= 500 or bool(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text))
            or any(0xD800 <= ord(c) <= 0xDFFF for c in text))


def _speaks_the_pin(text: str) -> bool:
    return "4826" in re.sub(r"\D", "", text) or bool(_PIN_WORDS.search(text))


@pytest.fixture
def speaker(live_app_factory: Any, memory_partners: Any) -> tuple[Any, Device]:
    # no per-device rate limit: a fuzzer's burst is not what this test is about
    app, _url = live_app_factory(partners=memory_partners, device_requests_per_minute=10**9)
    return app, Device(flask_transport(app.test_client()))


def _money_moved(app: Any) -> int:
    services = app.extensions["couchbank"]
    with services.db.read() as conn:
        return conn.execute(select(func.count()).select_from(transfers)).scalar_one()


def _unlock(app: Any) -> None:
    # each example starts with a fresh PIN counter, so mid-conversation text meets a PIN prompt
    services = app.extensions["couchbank"]
    with services.db.begin() as conn:
        conn.execute(update(users).where(users.c.id == DEMO_USER).values(pin_failures=0, locked_until=None))


@given(mid_transfer=st.booleans(), texts=st.lists(HOSTILE, min_size=1, max_size=4))
@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_hostile_text_never_breaks_a_turn_or_moves_money(speaker: tuple[Any, Device], mid_transfer: bool,
                                                         texts: list[str]) -> None:
    assume(not any(_speaks_the_pin(text) for text in texts))
    app, device = speaker
    _unlock(app)
    device.session_id = None
    if mid_transfer:
        assert device.turn("엄마한테 5만원 보내줘", new=True)["awaiting"] == "pin"
    for text in texts:
        status, reply = device.request("POST", "/v1/voice/turn",
                                       {"utterance": text, "session_id": device.session_id})
        if _refused_by_schema(text):
            assert status == 422 and "utterance" in reply["error"]["fields"], (text, status, reply)
            continue
        assert status == 200, (text, status, reply)
        assert _SCHEMA.validate(reply) == {}, (text, reply)
        device.session_id = reply["session_id"]
    assert _money_moved(app) == 0


@pytest.mark.parametrize("text", ["\x00", "\ud800", "엄마\x00한테 5만원", "\ud83d 엄마", "\x1b[31m",
                                  "\x7f", "엄마한테\x7f 5만원", "\x80", "\x85", "5만원\x9f"])
def test_nul_controls_and_lone_surrogates_are_refused_by_the_schema(speaker: tuple[Any, Device], text: str) -> None:
    app, device = speaker
    device.turn("엄마한테 5만원 보내줘", new=True)
    status, reply = device.request("POST", "/v1/voice/turn", {"utterance": text, "session_id": device.session_id})
    assert (status, list(reply["error"]["fields"])) == (422, ["utterance"])
    status, reply = device.request("POST", "/v1/voice/turn", {"utterance": "취소", "session_id": f"s_{text}"})
    assert (status, list(reply["error"]["fields"])) == (422, ["session_id"])
    # the conversation goes on: it can still be cancelled
    assert device.turn("취소")["status"] == "cancelled"
    assert _money_moved(app) == 0
