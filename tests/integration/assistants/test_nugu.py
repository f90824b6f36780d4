"""The NUGU channel (CONTRACT §7.3): the backend proxy's shapes, token authorisation,
`resultCode`, and the parameters mapped onto the same conversation."""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.sandbox.testing import postings_for
from banking.platform.store.tables import audit_events, transfers
from tests.conftest import _build_app, _observe
from tests.integration.assistants.conftest import assistant_settings
from tests.integration.assistants.fakes import NUGU_REDIRECT, NUGU_TOKEN, link
from tests.support import Clock


class FakeNugu:
    """NUGU's backend proxy for one Play session."""

    def __init__(self, client: Any, access_token: str | None) -> None:
        self.client = client
        self.token = access_token
        self.session = f"nugu-session-{uuid.uuid4().hex}"
        self.new = True

    def body(self, action: str, **parameters: str) -> dict[str, Any]:
        session: dict[str, Any] = {"id": self.session, "isNew": self.new, "isPlayBuilderRequest": True}
        if self.token:
            session["accessToken"] = self.token
        self.new = False
        return {"version": "2.0",
                "action": {"actionName": action,
                           "parameters": {k: {"type": "STRING", "value": v} for k, v in parameters.items()}},
                "event": {"type": "Text.TextInput"},
                "context": {"session": session,
                            "device": {"type": "speaker.nugu.nu100", "state": {}},
                            "supportedInterfaces": {"AudioPlayer": {}}}}

    def post(self, action: str, body: Any = None, *, token: str | None = NUGU_TOKEN, **parameters: str) -> Any:
        headers = {"Authorization": f"token {token}"} if token is not None else {}
        data = json.dumps(self.body(action, **parameters) if body is None else body)
        return self.client.post(f"/v1/assistants/nugu/{action}", data=data, headers=headers,
                                content_type="application/json")

    def say(self, action: str, **parameters: str) -> dict[str, Any]:
        response = self.post(action, **parameters)
        assert response.status_code == 200, response.get_data(as_text=True)
        answer: dict[str, Any] = response.get_json()
        assert answer["version"] == "2.0" and answer["directives"] == []
        assert set(answer["output"]) == {"speech", "status", "awaiting", "intent"}
        assert all(isinstance(v, str) for v in answer["output"].values())
        return answer


@pytest.fixture
def nugu(client: Any, services: Any) -> FakeNugu:
    return FakeNugu(client, link(client, services, "nugu", "nugu-demo-secret", NUGU_REDIRECT)["access_token"])


@pytest.mark.parametrize("authorization", [None, "", "token wrong", f"Bearer {NUGU_TOKEN}", f"token {NUGU_TOKEN}x"])
def test_wrong_or_missing_token_is_401(client, services, nugu, authorization):
    with services.db.read() as conn:
        before = conn.execute(select(func.count()).select_from(audit_events)).scalar_one()
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/v1/assistants/nugu/balance", data=json.dumps(nugu.body("balance")),
                           headers=headers, content_type="application/json")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(audit_events)).scalar_one() == before


def test_unlinked_session_is_not_linked(client):
    answer = FakeNugu(client, None).say("balance")
    assert answer["resultCode"] == "NOT_LINKED" and "연결" in answer["output"]["speech"]
    answer = FakeNugu(client, "not-a-token").say("balance")
    assert answer["resultCode"] == "NOT_LINKED"


def test_balance_with_pin(nugu):
    answer = nugu.say("balance")
    assert answer["resultCode"] == "OK"
    assert answer["output"] == {**answer["output"], "status": "in_progress", "awaiting": "pin", "intent": "balance"}
    answer = nugu.say("pin", pin="4826")
    assert answer["output"]["status"] == "completed" and answer["output"]["awaiting"] == ""
    assert "원" in answer["output"]["speech"] and "4826" not in answer["output"]["speech"]


def test_transfer_asks_what_is_missing(nugu):
    answer = nugu.say("transfer", payee="엄마")
    assert answer["output"]["awaiting"] == "amount" and answer["output"]["intent"] == "transfer"
    answer = nugu.say("transfer", amount="50000")
    assert answer["output"]["awaiting"] == "pin" and "5만 원" in answer["output"]["speech"]
    answer = nugu.say("cancel")
    assert answer["output"]["status"] == "cancelled"


def test_five_wrong_pins_lock(nugu):
    nugu.say("balance")
    for _ in range(4):
        assert nugu.say("pin", pin="1111")["resultCode"] == "OK"
    answer = nugu.say("pin", pin="1111")
    assert answer["resultCode"] == "LOCKED" and answer["output"]["status"] == "rejected"
    assert nugu.say("balance")["resultCode"] == "LOCKED"


def test_unknown_action_is_404(nugu):
    response = nugu.post("withdraw")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", [
    [], "text", {"version": "2.0"}, {"context": {"session": {"id": 7}}},
    {"action": {"parameters": []}, "context": {"session": {"id": "s"}, "device": {"type": "x"}}},
    {"action": {"parameters": {"amount": {"value": 5}}},
     "context": {"session": {"id": "s", "accessToken": "t"}, "device": {"type": "x"}}},
])
def test_malformed_bodies_are_400(nugu, body):
    response = nugu.post("transfer", body)
    assert response.status_code == 400 and set(response.get_json()) == {"error"}


def test_not_json_is_400_or_415(client):
    response = client.post("/v1/assistants/nugu/balance", data=b"{", headers={"Authorization": f"token {NUGU_TOKEN}"},
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post("/v1/assistants/nugu/balance", data=b"x", headers={"Authorization": f"token {NUGU_TOKEN}"},
                           content_type="text/plain")
    assert response.status_code == 415


@pytest.fixture
def live(tmp_path, database_url, sandbox_partners, pki) -> Any:
    app = _build_app(tmp_path, database_url, sandbox_partners, **assistant_settings(pki))
    services = app.extensions["couchbank"]
    services.clock = Clock()
    client = app.test_client()
    nugu = FakeNugu(client, link(client, services, "nugu", "nugu-demo-secret", NUGU_REDIRECT)["access_token"])
    yield services, nugu
    _observe(app)
    services.close()


def test_balance_transfer_pin_otp_moves_money_once(live, sandboxes):
    services, nugu = live
    nugu.say("balance", bank="kbank")
    assert nugu.say("pin", pin="4826")["output"]["status"] == "completed"
    assert nugu.say("transfer", amount="50000", payee="엄마")["output"]["awaiting"] == "pin"
    answer = nugu.say("pin", pin="4826")
    assert answer["output"]["status"] == "completed"
    assert nugu.say("transfer", amount="300000", payee="아빠", bank="케이뱅크")["output"]["awaiting"] == "pin"
    assert nugu.say("pin", pin="4826")["output"]["awaiting"] == "otp"
    answer = nugu.say("code", code=services.clock.otp())
    assert answer["output"]["status"] == "completed" and answer["resultCode"] == "OK"
    with services.db.read() as conn:
        rows = conn.execute(select(transfers).order_by(transfers.c.created_at)).all()
    expected = [("엄마", 50000, "completed"), ("아빠", 300000, "completed")]
    assert [(r.payee, r.amount, r.status) for r in rows] == expected
    for row in rows:
        assert [p["amount"] for p in postings_for(sandboxes.kbank, row.idempotency_key)
                if p["account"] == "100-123-456789"] == [-row.amount]
