"""The auditor API (CONTRACT §6) over the Flask test client, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from banking.audit import auditors
from banking.audit.trail import Actor
from banking.platform.store.tables import audit_events
from tests.support import Device, flask_transport

AUTH = {"Authorization": "Bearer demo-auditor-token"}


def seed_events(services: Any) -> None:
    rows = [
        ("transfer.pending", "demo", {"amount": 50000, "payee": "엄마"}),
        ("transfer.completed", "demo", {"amount": 50000, "payee": "엄마"}),
        ("transfer.pending", "other", {"amount": 10000, "payee": "아빠"}),
        ("transferX", "demo", {}),  # shares the text prefix but is not under "transfer."
        ("auth.pin.failed", "demo", {"failures": 1}),
        ("turn", "demo", {"intent": "balance"}),
    ]
    with services.db.begin() as conn:
        for type_, user, detail in rows:
            services.audit.append(conn, type_, detail, Actor(user_id=user, device_id=f"{user}-tv", session_id="s1"))


def count(services: Any) -> int:
    with services.db.read() as conn:
        return conn.execute(select(func.count()).select_from(audit_events)).scalar_one()


def get(client: Any, path: str, **params: Any) -> Any:
    response = client.get(path, query_string=params, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_filters_by_user_and_exact_or_prefix_type(client: Any, services: Any) -> None:
    seed_events(services)
    body = get(client, "/v1/audit/events", user_id="demo", type="transfer.")
    assert [e["type"] for e in body["events"]] == ["transfer.pending", "transfer.completed"]
    assert body["next_cursor"] is None
    event = body["events"][0]
    assert set(event) == {"seq", "at", "type", "user_id", "device_id", "session_id", "request_id",
                          "detail", "prev_hash", "hash"}
    assert event["detail"] == {"amount": 50000, "payee": "엄마"} and event["at"].endswith("Z")
    assert [e["user_id"] for e in get(client, "/v1/audit/events", type="transfer.pending")["events"]] == ["demo", "other"]
    assert [e["type"] for e in get(client, "/v1/audit/events", device_id="other-tv")["events"]] == ["transfer.pending"]


def test_time_filters(client: Any, services: Any) -> None:
    seed_events(services)
    everything = get(client, "/v1/audit/events", type="transfer.pending")["events"]
    at = everything[1]["at"]
    assert [e["seq"] for e in get(client, "/v1/audit/events", type="transfer.pending", since=at)["events"]] == [everything[1]["seq"]]
    assert [e["seq"] for e in get(client, "/v1/audit/events", type="transfer.pending", until=at)["events"]] == [everything[0]["seq"]]


def test_paging_with_cursors_sees_every_event_once(client: Any, services: Any) -> None:
    seed_events(services)
    seed_events(services)
    total = count(services)
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 5}
    while True:
        body = get(client, "/v1/audit/events", **params)
        seen += [e["seq"] for e in body["events"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    # each page request is itself recorded, after the snapshot the first page fixed
    assert seen == list(range(1, total + 1))


def test_bad_query_values_are_422(client: Any) -> None:
    for params in ({"limit": 0}, {"cursor": "nope"}, {"since": "yesterday"}):
        response = client.get("/v1/audit/events", query_string=params, headers=AUTH)
        assert response.status_code == 422
        assert set(response.get_json()["error"]["fields"]) == set(params)


def test_every_auditor_action_is_recorded_without_the_token(client: Any, services: Any) -> None:
    get(client, "/v1/audit/events", user_id="demo", type="transfer.")
    get(client, "/v1/audit/verify")
    client.get("/v1/audit/export", query_string={"format": "csv"}, headers=AUTH).get_data()
    client.post("/v1/audit/checkpoints", headers=AUTH)
    events = get(client, "/v1/audit/events", type="auditor.")["events"]
    assert [e["type"] for e in events] == ["auditor.read", "auditor.verify", "auditor.export", "auditor.checkpoint"]
    assert all(e["detail"]["auditor"] == "demo-auditor" and e["request_id"] for e in events)
    assert events[0]["detail"]["filters"] == {"user_id": "demo", "type": "transfer."}
    assert "demo-auditor-token" not in json.dumps(events)


def test_verify(client: Any, services: Any) -> None:
    seed_events(services)
    assert get(client, "/v1/audit/verify") == {"ok": True, "checked": 6, "first_bad_seq": None}


def test_export_jsonl_and_csv(client: Any, services: Any) -> None:
    seed_events(services)
    response = client.get("/v1/audit/export", query_string={"format": "jsonl", "type": "transfer."}, headers=AUTH)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [(e["type"], e["user_id"]) for e in lines] == [
        ("transfer.pending", "demo"), ("transfer.completed", "demo"), ("transfer.pending", "other")]
    assert lines[0]["detail"]["payee"] == "엄마"

    response = client.get("/v1/audit/export", query_string={"format": "csv", "user_id": "other"}, headers=AUTH)
    assert response.mimetype == "text/csv"
    records = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["type"], json.loads(r["detail"])) for r in records] == [("transfer.pending", {"amount": 10000, "payee": "아빠"})]
    assert records[0]["session_id"] == "s1" and len(records[0]["hash"]) == 64


def test_checkpoints_are_listed_newest_first(client: Any, services: Any) -> None:
    seed_events(services)
    first = client.post("/v1/audit/checkpoints", headers=AUTH)
    assert first.status_code == 201 and first.get_json()["seq"] == 6
    client.post("/v1/audit/checkpoints", headers=AUTH)
    listed = get(client, "/v1/audit/checkpoints")["checkpoints"]
    assert [c["seq"] for c in listed] == [7, 6]
    assert set(listed[0]) == {"seq", "hash", "at", "signature", "key_id", "public_key"}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": "Basic ZGVtbzpkZW1v"},
    {"Authorization": "Bearer "},
])
def test_no_or_bad_token_is_401(client: Any, headers: dict[str, str]) -> None:
    for path in ("/v1/audit/events", "/v1/audit/verify", "/v1/audit/export", "/v1/audit/checkpoints"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(client: Any, services: Any) -> None:
    with services.db.begin() as conn:
        token = auditors.add(conn, services.keys, "temp-auditor")
    assert client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with services.db.begin() as conn:
        assert auditors.revoke(conn, "temp-auditor")
    assert client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_device_cannot_read_the_audit_api(client: Any, services: Any) -> None:
    device = Device(flask_transport(client))
    before = count(services)
    for path in ("/v1/audit/events", "/v1/audit/verify", "/v1/audit/export"):
        status, body = device.request("GET", path)
        assert status == 403 and body["error"]["code"] == "forbidden"
        # even with an auditor token alongside: a device's request is a device's
        status, _ = device.request("GET", path, **AUTH)
        assert status == 403
    assert count(services) == before


def test_an_auditor_cannot_speak_to_the_voice_api(client: Any, services: Any) -> None:
    before = count(services)
    response = client.post("/v1/voice/turn", json={"utterance": "잔액 알려줘"}, headers=AUTH)
    assert response.status_code != 200
    with services.db.read() as conn:
        added = conn.execute(select(audit_events.c.type).where(audit_events.c.seq > before)).scalars().all()
    # nothing happened on the auditor's behalf: at most the refusal itself is recorded
    assert not [t for t in added if t == "turn" or t.startswith(("transfer.", "partner.", "auth.pin", "auth.otp"))]


def test_the_routes_are_in_the_openapi_spec(client: Any) -> None:
    spec = client.get("/openapi.json").get_json()
    for path, method in [("/v1/audit/events", "get"), ("/v1/audit/verify", "get"), ("/v1/audit/export", "get"),
                         ("/v1/audit/checkpoints", "get"), ("/v1/audit/checkpoints", "post")]:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"AuditorToken": []}]
        assert {"401", "403"} <= set(operation["responses"])
    parameters = {p["name"] for p in spec["paths"]["/v1/audit/events"]["get"]["parameters"]}
    assert {"user_id", "device_id", "type", "since", "until", "limit", "cursor"} <= parameters


def test_out_of_range_values_are_refused_not_500(client: Any) -> None:
    assert client.get(f"/v1/audit/events/{2**64}", headers=AUTH).status_code == 404
    for params in ({"user_id": "a\x00b"}, {"since": "0001-01-01T00:00:00+01:00"}):
        assert client.get("/v1/audit/events", query_string=params, headers=AUTH).status_code == 422


def test_csv_exports_neutralise_formula_cells(app: Any, client: Any, services: Any) -> None:
    # a client chooses its request id (X-Request-Id) and its device's id: neither may run in a spreadsheet
    with services.db.begin() as conn:
        services.audit.append(conn, "turn", {"intent": "balance"},
                              Actor(user_id="demo", device_id="@tv", request_id="-2+3+cmd|' /C calc'!A0"))
    api = client.get("/v1/audit/export", query_string={"format": "csv", "type": "turn"}, headers=AUTH)
    cli = app.test_cli_runner().invoke(args=["audit", "export", "--format", "csv", "--type", "turn"])
    for text in (api.get_data(as_text=True), cli.output):
        record = list(csv.DictReader(io.StringIO(text)))[-1]
        assert record["request_id"] == "'-2+3+cmd|' /C calc'!A0" and record["device_id"] == "'@tv"
    jsonl = client.get("/v1/audit/export", query_string={"format": "jsonl", "type": "turn"}, headers=AUTH)
    assert json.loads(jsonl.get_data(as_text=True).splitlines()[-1])["request_id"] == "-2+3+cmd|' /C calc'!A0"
