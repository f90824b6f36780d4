"""Operational surface: /readyz, /metrics, JSON logs with the request id (and an access line
per request that names no query, body or header), the same id in audit events."""
from __future__ import annotations

import io
import json
import logging
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import select

from adapters import registry
from banking.platform.logs import json_formatter
from banking.platform.store.tables import audit_events
from tests.support import Device


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Reads back, parsed, every line logged since the test began, as the app formats them."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(json_formatter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_readyz_reports_each_check(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    banks = {bank.code: "ok" for bank in registry.catalogue()}
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", **banks}}


def test_readyz_is_503_with_the_error_envelope_when_a_partner_is_unreachable(
        client: Any, services: Any, monkeypatch: Any) -> None:
    class Unreachable:
        endpoint = "http://127.0.0.1:9"

    monkeypatch.setitem(services.partners.adapters, "woori", Unreachable())
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok" and body["checks"]["woori"].startswith("unreachable")
    assert body["error"]["code"] == "unavailable" and list(body["error"]["fields"]) == ["woori"]


def test_metrics_expose_turns_auth_and_http(client: Any, device: Device) -> None:
    device.turn("잔액 알려줘")
    device.turn("1111")
    device.turn("4826")  # the balance: partner calls
    text = client.get("/metrics").get_data(as_text=True)
    assert client.get("/metrics").content_type.startswith("text/plain")
    for name in ("couchbank_turns_total", "couchbank_turn_seconds_bucket", "couchbank_partner_calls_total",
                 "couchbank_partner_call_seconds_bucket", "couchbank_lockouts_total", "couchbank_auth_total",
                 "couchbank_pending_transfers", "couchbank_http_responses_total"):
        assert name in text, name
    assert 'couchbank_auth_total{factor="pin",outcome="wrong"}' in text
    assert 'route="/v1/voice/turn"' in text


def test_metrics_collect_every_worker_in_multiprocess_mode(tmp_path: Any, monkeypatch: Any) -> None:
    from banking.platform import metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert metrics.registry() is not metrics.REGISTRY
    payload, content_type = metrics.exposition()
    assert content_type.startswith("text/plain") and isinstance(payload, bytes)


def test_every_line_of_a_request_carries_its_id_and_one_access_line(
        client: Any, device: Device, log_lines: Callable[[], list[dict[str, Any]]]) -> None:
    status, _ = device.request("GET", "/v1/transfers?limit=5", X_Request_Id="req-0123456789abcdef")
    assert status == 200
    device.turn("엄마한테 5만원 보내줘")
    lines = log_lines()
    access = [line for line in lines if line["event"] == "access"]
    assert len(access) == 2
    first = access[0]
    assert first == {**first, "method": "GET", "path": "/v1/transfers", "status": 200}
    assert first["request_id"] == "req-0123456789abcdef" and first["duration_ms"] >= 0
    assert all("request_id" in line for line in lines), [line for line in lines if "request_id" not in line]
    raw = json.dumps(lines, ensure_ascii=False)
    # no query string, body or header ever reaches a log line
    for forbidden in ("limit=5", "엄마한테", "X-Signature", "demo-tv-secret"):
        assert forbidden not in raw


def test_each_partner_call_of_a_turn_is_one_log_line_and_one_audit_event(
        client: Any, device: Device, services: Any, monkeypatch: Any,
        log_lines: Callable[[], list[dict[str, Any]]]) -> None:
    from adapters.base import OutcomeUnknown

    def lost(_account: str) -> Any:
        raise OutcomeUnknown("read timed out")

    device.turn("잔액 알려줘")
    device.turn("4826")  # the PIN: every bank is asked for the balance
    monkeypatch.setattr(services.partners.adapters["woori"], "balance", lost)
    before = len(log_lines())
    assert device.turn("잔액 알려줘")["status"] == "failed"  # woori did not answer
    lines = log_lines()[before:]
    calls = {line["adapter"]: line for line in lines if line["event"] == "partner_call"}
    (access,) = [line for line in lines if line["event"] == "access"]
    # a call that went well is a debug line, one that needs a look a warning
    assert calls["kbank"]["level"] == "debug" and calls["kbank"]["outcome"] == "ok"
    assert calls["woori"]["level"] == "warning" and calls["woori"]["outcome"] == "unknown"
    assert {line["request_id"] for line in calls.values()} == {access["request_id"]}
    with services.db.read() as conn:
        events = conn.execute(select(audit_events.c.detail).where(
            audit_events.c.request_id == access["request_id"], audit_events.c.type == "partner.balance")).all()
    others = ["ok"] * (len(registry.catalogue()) - 1)
    assert sorted(json.loads(e.detail)["outcome"] for e in events) == [*others, "unknown"]


def test_the_request_id_is_echoed_and_recorded_in_audit_events(client: Any, device: Device, services: Any) -> None:
    device.send = _keeping_headers(device.send, client)
    status, reply = device.request("POST", "/v1/voice/turn", {"utterance": "잔액 알려줘"},
                                   X_Request_Id="turn-request-000001")
    assert status == 200
    with services.db.read() as conn:
        ids = {row.request_id for row in conn.execute(
            select(audit_events.c.request_id).where(audit_events.c.type.like("turn%")))}
    assert ids == {"turn-request-000001"}
    assert _keeping_headers.last["X-Request-Id"] == "turn-request-000001"


def _keeping_headers(send: Any, client: Any) -> Any:
    def wrapped(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = client.open(path, method=method, data=body, headers=headers)
        _keeping_headers.last = response.headers  # type: ignore[attr-defined]
        return response.status_code, response.get_json(silent=True)
    return wrapped


def test_the_level_comes_from_the_environment_and_libraries_never_go_below_warning(monkeypatch: Any) -> None:
    from banking.platform import logs

    root = logging.getLogger()
    before = root.level
    try:
        for value, expected in (("warning", logging.WARNING), ("DEBUG", logging.DEBUG), ("chatty", logging.INFO)):
            monkeypatch.setenv("COUCHBANK_LOG_LEVEL", value)
            logs.configure(stream=io.StringIO())
            assert root.level == expected, value
        # below INFO these would log SQL parameters and partner URLs (account numbers)
        for name in ("sqlalchemy", "urllib3", "alembic", "werkzeug"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    finally:
        logs.configure(before, stream=io.StringIO())
