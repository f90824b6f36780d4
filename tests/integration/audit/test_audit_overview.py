"""The auditors' overview page over the Flask test client: the figures it shows come from
real turns (a wrong PIN, a transfer through the partners) and recorded partner failures."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from banking.audit import overview
from banking.audit.trail import Actor
from tests.integration.audit.test_audit_console_pages import sign_in


def activity(services: Any, device: Any) -> None:
    """A wrong PIN then the right one, a 50,000 KRW transfer to 아빠, two failed partner calls."""
    device.turn("잔액 알려줘", new=True)
    device.turn("1111")
    device.turn("4826")
    device.turn("아빠한테 5만원 보내줘", new=True)
    device.turn("응")
    assert device.turn("4826")["status"] == "completed"
    with services.db.begin() as conn:
        for outcome in ("unknown", "failed"):
            services.audit.append(conn, "partner.transfer", {"adapter": "woori", "operation": "transfer",
                                                             "outcome": outcome, "latency_ms": 5.0, "code": None},
                                  Actor(user_id="demo"))


def test_the_overview_counts_what_happened_today(client: Any, services: Any, device: Any) -> None:
    activity(services, device)
    with services.db.begin() as conn:
        found = overview.gather(conn, services.keys, services.clock(), 7)
    today = -1
    assert len(found.days) == 7 and found.days[today] == services.clock().date().isoformat()
    assert found.security["auth.pin.failed"][today] == 1 and found.security["auth.lock"][today] == 0
    assert found.security_devices[0][:3] == ("demo-tv", "demo", 1)
    assert found.families["turn"][today] >= 6 and found.families["transfer"][today] >= 2
    assert found.transfer_status == {"completed": 1}
    assert sum(n for _, n in found.settle_buckets) == 1 and found.slowest[0][1] == "completed"
    assert found.partner_errors["woori"] == {"unknown": 1, "failed": 1}
    assert found.partner_calls["kbank"] >= 1  # the transfer and the balance reads went well
    assert found.chain is not None and found.chain.tail_ok and found.chain.tail_checked == found.chain.head_seq


def test_the_page_draws_every_chart(client: Any, services: Any, device: Any) -> None:
    activity(services, device)
    assert sign_in(client).status_code == 302
    response = client.get("/audit/overview?days=14")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<svg class="chart"') == 5
    assert len(re.findall(r'class="mark"', html)) > 20
    assert "Intact" in html and "PIN failures" in html and "woori" in html
    assert 'href="/audit/?device_id=demo-tv&amp;type=auth."' in html
    # the visit itself is in the trail, as every auditor's read
    with services.db.read() as conn:
        assert overview.gather(conn, services.keys, services.clock()).families["auditor"][-1] >= 2


def test_a_checkpoint_bounds_the_walk_and_a_broken_tail_shows(client: Any, services: Any, device: Any) -> None:
    from sqlalchemy import update

    from banking.audit import jobs
    from banking.platform.store.tables import audit_events

    activity(services, device)
    checkpoint = jobs.checkpoint(services)
    device.turn("잔액 알려줘", new=True)
    with services.db.begin() as conn:
        chain = overview.gather(conn, services.keys, services.clock()).chain
    assert chain.checkpoint.seq == checkpoint.seq and chain.tail_checked == chain.head_seq - checkpoint.seq
    with services.db.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == checkpoint.seq + 1).values(type="turn.forged"))
    sign_in(client)
    html = client.get("/audit/overview").get_data(as_text=True)
    assert "Broken" in html and f"first bad seq {checkpoint.seq + 1}" in html


@pytest.mark.parametrize("days", ["", "0", "-1", "abc", "99999999999999999999", "٣", "7%00", "1e3", "91"])
def test_any_days_value_is_an_answer_never_an_error(client: Any, days: str) -> None:
    sign_in(client)
    assert client.get("/audit/overview", query_string={"days": days}).status_code == 200


def test_old_events_are_outside_the_range(client: Any, services: Any) -> None:
    with services.db.begin() as conn:
        services.audit.append(conn, "auth.pin.failed", {}, Actor(user_id="demo", device_id="demo-tv"))
        found = overview.gather(conn, services.keys, services.clock() + dt.timedelta(days=30), 7)
    assert sum(found.security["auth.pin.failed"]) == 0 and found.security_devices == []


def test_a_long_tail_is_left_to_a_full_verify(client: Any, services: Any, device: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "MAX_TAIL", 1)
    device.turn("잔액 알려줘", new=True)
    device.turn("4826")
    sign_in(client)
    html = client.get("/audit/overview").get_data(as_text=True)
    assert "Not checked here" in html and "Intact" not in html and "Broken" not in html
