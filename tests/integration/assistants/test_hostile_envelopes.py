"""Property tests over the two assistant endpoints (CONTRACT §7, §4.4): whatever a signed
Alexa envelope or an authorised NUGU body holds where Amazon's and SK telecom's documented
shapes put something else, the answer is 200 or a 4xx in the error envelope, never a 500."""
from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.integration.assistants.fakes import NUGU_REDIRECT, NUGU_TOKEN, FakeAlexa, link

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)

ALEXA_PATHS = [
    ("request",), ("request", "type"), ("request", "timestamp"), ("request", "requestId"), ("request", "locale"),
    ("request", "intent"), ("request", "intent", "name"), ("request", "intent", "slots"),
    ("request", "intent", "slots", "amount"), ("request", "intent", "slots", "amount", "value"),
    ("request", "intent", "slots", "payee", "resolutions"),
    ("request", "intent", "slots", "payee", "resolutions", "resolutionsPerAuthority"),
    ("request", "intent", "slots", "pin", "value"), ("session",), ("session", "sessionId"),
    ("session", "application"), ("context",), ("context", "System"), ("context", "System", "device"),
    ("context", "System", "device", "deviceId"), ("context", "System", "user", "accessToken"),
    ("context", "System", "person"), ("context", "System", "person", "personId"),
]
INTENTS = st.sampled_from(["BalanceIntent", "TransferIntent", "PinIntent", "CodeIntent", "AMAZON.YesIntent",
                           "RepeatIntent", "PayeesIntent", "TransactionsIntent"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target: Any = document
    for key in path[:-1]:
        if not isinstance(target, dict):
            return
        target = target.setdefault(key, {})
    if isinstance(target, dict):
        target[path[-1]] = value


def _assert_answer(status: int, body: Any) -> None:
    assert status < 500, body
    if status >= 400:
        assert set(body) == {"error"} and isinstance(body["error"]["message"], str), body
    else:
        assert isinstance(body, dict) and body.get("version") in ("1.0", "2.0"), body


@pytest.fixture
def alexa(fake_alexa: FakeAlexa, client: Any, services: Any) -> FakeAlexa:
    from tests.integration.assistants.fakes import link as linking

    fake_alexa.token = linking(client, services)["access_token"]
    return fake_alexa


@SETTINGS
@given(intent=INTENTS, path=st.sampled_from(ALEXA_PATHS), value=JSON)
def test_signed_alexa_envelopes_never_500(alexa: FakeAlexa, intent: str, path: tuple[str, ...], value: Any) -> None:
    alexa.device_id = f"amzn1.ask.device.{uuid.uuid4().hex}"  # no example is held back by the rate limit
    envelope = alexa.envelope({"type": "IntentRequest", "intent": {"name": intent, "slots": {
        "amount": {"name": "amount", "value": "50000"}, "payee": {"name": "payee", "value": "Mom"},
        "pin": {"name": "pin", "value": "1111"}}}})
    _put(envelope, path, value)
    status, body = alexa.send({}, body=json.dumps(envelope).encode())
    _assert_answer(status, body)


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_signed_alexa_bytes_never_500(alexa: FakeAlexa, raw: bytes) -> None:
    status, body = alexa.send({}, body=raw)
    _assert_answer(status, body)


NUGU_BASE = {"version": "2.0", "action": {"actionName": "transfer", "parameters": {
    "amount": {"type": "NUMBER", "value": "50000"}, "payee": {"type": "STRING", "value": "엄마"}}},
    "event": {"type": "Text.TextInput"},
    "context": {"session": {"id": "s", "isNew": True}, "device": {"type": "speaker.nugu.nu100", "state": {}},
                "supportedInterfaces": {}}}
NUGU_PATHS = [("action",), ("action", "parameters"), ("action", "parameters", "amount"),
              ("action", "parameters", "amount", "value"), ("action", "parameters", "pin"),
              ("action", "parameters", "bank", "value"), ("context",), ("context", "session"),
              ("context", "session", "id"), ("context", "session", "accessToken"), ("context", "device"),
              ("context", "device", "type")]


@SETTINGS
@given(action=st.sampled_from(["transfer", "pin", "code", "balance", "repeat", "fallback"]),
       path=st.sampled_from(NUGU_PATHS), value=JSON)
def test_authorised_nugu_bodies_never_500(client: Any, services: Any, nugu_token: str, action: str,
                                          path: tuple[str, ...], value: Any) -> None:
    body = copy.deepcopy(NUGU_BASE)
    body["context"]["session"].update(id=uuid.uuid4().hex, accessToken=nugu_token)
    _put(body, path, value)
    response = client.post(f"/v1/assistants/nugu/{action}", data=json.dumps(body),
                           headers={"Authorization": f"token {NUGU_TOKEN}"}, content_type="application/json")
    _assert_answer(response.status_code, response.get_json())


@pytest.fixture
def nugu_token(client: Any, services: Any) -> str:
    return str(link(client, services, "nugu", "nugu-demo-secret", NUGU_REDIRECT)["access_token"])
