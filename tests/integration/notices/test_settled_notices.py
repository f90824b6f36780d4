"""A transfer the person heard as `pending` settles later: a notice tells how it ended, once,
whichever of the turn's `follow` and the settlement comes first (CONTRACT §8)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from banking.audit.trail import Actor
from banking.platform.partners import CallLog
from banking.platform.store.tables import notices
from banking.transfers import follow, reservation, send
from tests.support import Clock


@pytest.fixture
def clocked(services: Any) -> Any:
    services.clock = Clock()
    return services


def reserve(services: Any) -> Any:
    with services.db.begin() as conn:
        transfer = reservation.reserve(
            conn, services, user_id="demo", daily_limit=2_000_000, from_bank="kbank",
            from_account="100-123-456789", payee="엄마", to_bank="woori", to_account="1002-987-654321",
            amount=10_000, actor=Actor(user_id="demo"))
    assert transfer is not None and transfer.status == "pending"
    return transfer


def settle(services: Any, transfer: Any, outcome: send.Outcome) -> None:
    with CallLog() as calls:
        send.record_attempt(services, transfer, outcome, calls, Actor(user_id="demo"))


def kinds(services: Any) -> list[tuple[str, str]]:
    with services.db.read() as conn:
        return [(r.kind, r.transfer_id) for r in conn.execute(select(notices).order_by(notices.c.id)).all()]


@pytest.mark.parametrize("outcome,kind", [(send.Outcome("completed", bank_reference="R1"), "transfer.completed"),
                                          (send.Outcome("failed", reason="insufficient_funds"), "transfer.failed")])
@pytest.mark.parametrize("follow_first", [True, False])
def test_pending_then_settled_is_one_notice(clocked, outcome, kind, follow_first):
    transfer = reserve(clocked)
    if follow_first:
        with clocked.db.begin() as conn:
            follow(conn, clocked, transfer)
        settle(clocked, transfer, outcome)
    else:  # settled just after the turn gave up waiting, before it marked the transfer
        settle(clocked, transfer, outcome)
        with clocked.db.begin() as conn:
            follow(conn, clocked, transfer)
    assert kinds(clocked) == [(kind, transfer.id)]


def test_a_settlement_heard_in_the_turn_is_no_notice(clocked):
    transfer = reserve(clocked)
    settle(clocked, transfer, send.Outcome("completed", bank_reference="R1"))
    assert kinds(clocked) == []
