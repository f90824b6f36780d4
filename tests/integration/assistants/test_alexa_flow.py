"""The Alexa channel end to end (CONTRACT §7.2): a fake Alexa signs real envelopes and drives
launch → balance → PIN → transfer → PIN → OTP, with the sandbox ledgers checked."""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from adapters.sandbox.testing import postings_for, wait_for
from banking.platform.store.tables import audit_events, transfers
from tests.conftest import _build_app, _observe
from tests.integration.assistants.conftest import assistant_settings
from tests.integration.assistants.fakes import FakeAlexa, link, speech_of
from tests.support import Clock, flask_transport

MOM = ("Mom", "엄마")
DAD = ("Dad", "아빠")


@pytest.fixture
def linked(fake_alexa: FakeAlexa, client: Any, services: Any) -> FakeAlexa:
    fake_alexa.token = link(client, services)["access_token"]
    return fake_alexa


def _events(services: Any, kind: str) -> list[dict[str, Any]]:
    with services.db.read() as conn:
        rows = conn.execute(select(audit_events).where(audit_events.c.type == kind).order_by(audit_events.c.seq)).all()
    return [{"device_id": r.device_id, "session_id": r.session_id, **json.loads(r.detail)} for r in rows]


def test_unlinked_gets_a_link_account_card_and_nothing_else(fake_alexa, services):
    status, answer = fake_alexa.send({"type": "IntentRequest", "intent": {"name": "BalanceIntent", "slots": {}}})
    assert status == 200
    response = answer["response"]
    assert response["card"] == {"type": "LinkAccount"} and "link" in speech_of(answer).lower()
    assert response["shouldEndSession"] is True and "reprompt" not in response
    assert _events(services, "turn") == []


def test_session_ended_request_answers_an_empty_response(linked):
    status, answer = linked.send({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
    assert status == 200 and answer["response"] == {}


def test_launch_greets_and_asks(linked):
    status, answer = linked.launch()
    assert status == 200
    assert "What would you like" in speech_of(answer) and answer["response"]["shouldEndSession"] is False
    assert answer["response"]["reprompt"]["outputSpeech"]["type"] == "SSML"


def test_balance_needs_the_pin_and_reprompts_while_awaiting(linked, services):
    linked.launch()
    answer = linked.intent("BalanceIntent")
    response = answer["response"]
    assert "PIN" in speech_of(answer) and response["shouldEndSession"] is False
    assert "PIN" in response["reprompt"]["outputSpeech"]["ssml"]
    assert response["card"]["type"] == "Simple" and response["card"]["title"] == "Balance"
    answer = linked.intent("PinIntent", pin="4826")
    assert answer["response"]["shouldEndSession"] is True and "reprompt" not in answer["response"]
    assert "won" in speech_of(answer) and "4826" not in json.dumps(answer)
    turns = _events(services, "turn")
    assert turns[-1]["utterance"] == "[pin]" and turns[-1]["speaker"].startswith("person:")
    assert turns[-1]["device_id"].startswith("alexa:")
    assert "4826" not in json.dumps(turns)


def test_the_alexa_session_keys_the_conversation(linked, fake_alexa, services):
    linked.intent("TransferIntent", amount="50000", payee=MOM)
    other = FakeAlexa(fake_alexa.post, fake_alexa.leaf, token=linked.token)  # another Alexa session
    answer = other.intent("PinIntent", pin="4826")
    assert "transfer" not in speech_of(answer).lower() or "sent" not in speech_of(answer).lower()
    with services.db.read() as conn:
        assert conn.execute(select(transfers)).all() == []
    sessions = {t["session_id"] for t in _events(services, "turn")}
    assert len(sessions) == 2


def test_wrong_pins_count_across_channels_and_lock(linked, services, device):
    linked.intent("BalanceIntent")
    for _ in range(3):
        linked.intent("PinIntent", pin="1111")
    device.turn("잔액 알려줘", new=True)
    device.turn("1111")
    answer = linked.intent("PinIntent", pin="1112")
    assert "locked" in speech_of(answer).lower()
    assert device.turn("잔액 알려줘", new=True)["status"] == "rejected"


def test_revoked_token_ends_the_session_at_the_next_request(linked, app, services):
    linked.intent("BalanceIntent")
    linked.intent("PinIntent", pin="4826")  # a verified session
    assert app.test_cli_runner().invoke(args=["users", "unlink", "demo", "--assistant", "alexa"]).exit_code == 0
    status, answer = linked.send({"type": "IntentRequest", "intent": {"name": "BalanceIntent", "slots": {}}})
    assert status == 200 and answer["response"]["card"] == {"type": "LinkAccount"}


def test_cancel_stop_help_fallback(linked):
    linked.intent("TransferIntent", amount="50000", payee=MOM)
    answer = linked.intent("AMAZON.StopIntent")
    assert "Cancelled" in speech_of(answer) and answer["response"]["shouldEndSession"] is True
    assert "balance" in speech_of(linked.intent("AMAZON.HelpIntent")).lower()
    assert linked.intent("AMAZON.FallbackIntent")["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert linked.intent("NoSuchIntent")["response"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_repeat_says_the_last_reply_again(linked):
    first = linked.intent("TransferIntent", amount="50000", payee=MOM)
    again = linked.intent("RepeatIntent")
    assert speech_of(again) == speech_of(first)


def test_missing_slots_are_asked_one_at_a_time(linked):
    answer = linked.intent("TransferIntent", payee=MOM)
    assert answer["response"]["reprompt"]["outputSpeech"]["ssml"] == "<speak>How much should I send?</speak>"
    answer = linked.intent("TransferIntent", amount="20000")
    assert "PIN" in speech_of(answer)


# -- against the sandboxes: the money really moves, once

@pytest.fixture
def live(tmp_path, database_url, sandbox_partners, pki) -> Any:
    app = _build_app(tmp_path, database_url, sandbox_partners, **assistant_settings(pki))
    services = app.extensions["couchbank"]
    services.clock = Clock()
    client = app.test_client()
    transport = flask_transport(client)
    alexa = FakeAlexa(lambda path, body, headers: transport("POST", path, body, headers), pki.leaf)
    alexa.token = link(client, services)["access_token"]
    yield services, alexa
    _observe(app)
    services.close()


def test_launch_balance_pin_transfer_pin_otp_moves_money_once(live, sandboxes):
    services, alexa = live
    status, answer = alexa.launch()
    assert status == 200
    alexa.intent("BalanceIntent", bank=("K Bank", "kbank"))
    answer = alexa.intent("PinIntent", pin="4826")
    assert "won" in speech_of(answer)

    answer = alexa.intent("TransferIntent", amount="50000", payee=MOM)
    assert "PIN" in speech_of(answer) and "4321" in speech_of(answer)  # the read-back, masked
    answer = alexa.intent("PinIntent", pin="4826")  # its own PIN, even in a verified session
    assert answer["response"]["shouldEndSession"] is True

    answer = alexa.intent("TransferIntent", amount="300000", payee=DAD)
    answer = alexa.intent("PinIntent", pin="4826")
    assert "reprompt" in answer["response"] and "code" in answer["response"]["reprompt"]["outputSpeech"]["ssml"]
    answer = alexa.intent("CodeIntent", code=services.clock.otp())
    assert answer["response"]["shouldEndSession"] is True

    with services.db.read() as conn:
        rows = conn.execute(select(transfers).order_by(transfers.c.created_at)).all()
    expected = [("엄마", 50000, "completed"), ("아빠", 300000, "completed")]
    assert [(r.payee, r.amount, r.status) for r in rows] == expected
    mom, dad = rows
    assert [p["amount"] for p in postings_for(sandboxes.kbank, mom.idempotency_key)
            if p["account"] == "100-123-456789"] == [-50000]
    assert [p["amount"] for p in postings_for(sandboxes.kbank, dad.idempotency_key)
            if p["account"] == "100-123-456789"] == [-300000]
    assert wait_for(lambda: [p for p in postings_for(sandboxes.kbank, dad.idempotency_key)
                             if p["account"] == "100-555-000111" and p["amount"] == 300000])
    trail = json.dumps(_events(services, "turn"))
    assert "4826" not in trail and services.clock.otp() not in trail


def test_a_replayed_request_changes_nothing(linked, services):
    body = json.dumps(linked.envelope({"type": "IntentRequest", "intent": {"name": "BalanceIntent", "slots": {}}}))
    assert linked.send({}, body=body.encode())[0] == 200
    before = len(_events(services, "turn"))
    status, answer = linked.send({}, body=body.encode())
    assert status == 400 and answer["error"]["code"] == "replayed_request"
    assert len(_events(services, "turn")) == before


def test_an_assistant_device_is_rate_limited_like_a_device(linked, services, monkeypatch):
    import dataclasses

    monkeypatch.setattr(services, "settings", dataclasses.replace(services.settings, device_requests_per_minute=3))
    for _ in range(3):
        linked.intent("AMAZON.HelpIntent")
    status, answer = linked.send({"type": "IntentRequest", "intent": {"name": "AMAZON.HelpIntent", "slots": {}}})
    assert status == 429 and answer["error"]["code"] == "too_many_requests"
    linked.device_id = "amzn1.ask.device.ANOTHERDEVICE"  # another device of the same household is not held back
    assert linked.intent("AMAZON.HelpIntent")["response"]["outputSpeech"]


def test_a_replayed_launch_is_refused_too(linked):
    body = json.dumps(linked.envelope({"type": "LaunchRequest"})).encode()
    assert linked.send({}, body=body)[0] == 200
    status, answer = linked.send({}, body=body)
    assert status == 400 and answer["error"]["code"] == "replayed_request"
