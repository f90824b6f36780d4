"""The exactly-once rule (`banking.transfers.send`): a send begins only while its transfer is
still to be sent, and a bank's "not found" ends a transfer as failed only when no send of
it can still reach the bank. Each test here fails against the old rule (a grace counted
from the reservation, sends that never looked at their transfer before calling)."""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import select

from adapters import registry
from adapters.base import OutcomeUnknown, TransferRequest, TransferResult
from adapters.memory import MemoryAdapter
from banking.audit.trail import Actor
from banking.core.formats import aware
from banking.platform.partners import Partners
from banking.platform.store.tables import audit_events, daily_usage, transfers as transfers_table
from banking.transfers import reconcile, reservation, send
from banking.transfers.model import Transfer
from tests.conftest import _build_app, _observe
from tests.support import Clock


class LostOnTheWay(MemoryAdapter):
    """A bank that never receives the sends (they time out) but answers inquiries."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.sent: list[TransferRequest] = []

    def transfer(self, request: TransferRequest) -> TransferResult:
        self.sent.append(request)
        raise OutcomeUnknown("no answer", code="timeout")


@pytest.fixture
def lost_partners() -> Partners:
    return Partners({**{bank.code: MemoryAdapter(bank.code) for bank in registry.catalogue()},
                     "kbank": LostOnTheWay("kbank")})


@pytest.fixture
def clocked(services: Any) -> Any:
    services.clock = Clock()
    return services


def reserve(services: Any, amount: int = 10_000) -> tuple[Transfer, Actor]:
    actor = Actor(user_id="demo", request_id="test")
    with services.db.begin() as conn:
        transfer = reservation.reserve(
            conn, services, user_id="demo", daily_limit=2_000_000, from_bank="kbank",
            from_account="100-123-456789", payee="엄마", to_bank="woori", to_account="1002-987-654321",
            amount=amount, actor=actor)
    assert transfer is not None
    return transfer, actor


def row(services: Any, transfer_id: str) -> Any:
    with services.db.read() as conn:
        return conn.execute(select(transfers_table).where(transfers_table.c.id == transfer_id)).one()


def used_today(services: Any) -> int:
    with services.db.read() as conn:
        return int(conn.execute(select(daily_usage.c.total).where(daily_usage.c.user_id == "demo")).scalar() or 0)


def bank(services: Any, name: str = "kbank") -> Any:
    return services.partners.adapters[name]


def test_a_send_that_starts_after_its_transfer_was_given_up_never_calls_the_bank(clocked):
    transfer, actor = reserve(clocked)
    clocked.clock.advance(seconds=clocked.settings.send_start_s + 1)
    reconcile.reconcile_once(clocked)
    assert row(clocked, transfer.id).status == "failed"
    assert row(clocked, transfer.id).failure_reason == "not_sent"
    assert used_today(clocked) == 0
    # the send was stuck in a queue all along; it starts only now
    assert send.execute(clocked, transfer, actor) == "failed"
    assert bank(clocked).transfer_status(transfer.idempotency_key).state == "not_found"


def test_a_send_that_starts_too_late_never_calls_the_bank_even_before_the_reconciler_looks(clocked):
    transfer, actor = reserve(clocked)
    clocked.clock.advance(seconds=clocked.settings.send_start_s + 1)
    assert send.execute(clocked, transfer, actor) == "pending"
    assert bank(clocked).transfer_status(transfer.idempotency_key).state == "not_found"
    reconcile.reconcile_once(clocked)
    assert row(clocked, transfer.id).status == "failed"


def test_the_reconciler_cannot_fail_a_transfer_whose_send_has_begun(clocked):
    transfer, actor = reserve(clocked)  # `transfer` is the reconciler's stale snapshot: unsent
    assert send.begin_send(clocked, transfer) is not None
    clocked.clock.advance(seconds=clocked.settings.send_start_s + 1)
    assert reconcile.reconcile_one(clocked, transfer) == "pending"
    assert send.begin_send(clocked, transfer) is None, "a transfer is sent once"


def test_sends_racing_for_one_transfer_begin_once(clocked):
    transfer, _ = reserve(clocked)
    began: list[Any] = []
    barrier = threading.Barrier(6)

    def race() -> None:
        barrier.wait()
        began.append(send.begin_send(clocked, transfer))

    threads = [threading.Thread(target=race) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(1 for b in began if b is not None) == 1


@pytest.fixture
def lost_services(tmp_path, database_url, lost_partners):
    app = _build_app(tmp_path, database_url, lost_partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    yield services
    _observe(app)
    services.close()


def test_not_found_is_believed_only_a_send_window_and_the_clock_skew_after_the_send_began(lost_services):
    services = lost_services
    transfer, actor = reserve(services)
    assert send.execute(services, transfer, actor) == "pending"
    request = bank(services).sent[0]
    started = row(services, transfer.id).send_started_at
    window = services.settings.send_window_s
    assert request.not_after is not None
    assert abs((request.not_after - aware(started))
               .total_seconds() - window) < 0.01, "the bank is told when the send stops counting"
    # not found, but the request may still be on its way: pending, however often asked
    services.clock.advance(seconds=window)
    for _ in range(3):
        with services.db.begin() as conn:  # make it due now, as a later round would
            conn.execute(transfers_table.update().values(next_check_at=None, claimed_until=None))
        reconcile.reconcile_once(services)
        assert row(services, transfer.id).status == "pending"
    services.clock.advance(seconds=services.settings.clock_skew_s + 1)
    with services.db.begin() as conn:
        conn.execute(transfers_table.update().values(next_check_at=None, claimed_until=None))
    reconcile.reconcile_once(services)
    assert row(services, transfer.id).status == "failed"
    assert row(services, transfer.id).failure_reason == "not_received"
    assert used_today(services) == 0
    assert len(bank(services).sent) == 1, "never sent again"


def test_a_bank_that_posts_what_was_recorded_failed_is_believed_and_the_discrepancy_recorded(clocked):
    transfer, actor = reserve(clocked)
    clocked.clock.advance(seconds=clocked.settings.send_start_s + 1)
    reconcile.reconcile_once(clocked)
    assert row(clocked, transfer.id).status == "failed"
    with clocked.db.begin() as conn:
        status = send.settle(conn, clocked, transfer, send.Outcome("completed", bank_reference="B1"), actor)
    assert status == "completed" and row(clocked, transfer.id).status == "completed"
    assert used_today(clocked) == transfer.amount, "the money left: it counts against the day again"
    with clocked.db.read() as conn:
        details = [json.loads(d) for d in conn.execute(
            select(audit_events.c.detail).where(audit_events.c.type == "transfer.completed")).scalars()]
    assert any(d.get("corrected_from") == "failed" and d["transfer_id"] == transfer.id for d in details)


def test_a_throttled_send_is_sent_again_with_the_same_key_only_by_the_claim_holder(clocked):
    transfer, actor = reserve(clocked)
    assert send.begin_send(clocked, transfer) is not None
    with clocked.db.begin() as conn:
        send.settle(conn, clocked, transfer, send.Outcome("pending", last_outcome="retry_later"), actor)
    # the reconciler claims it and sends it again; a sender without the claim may not
    clocked.clock.advance(seconds=60)
    fresh = reconcile.due(clocked)[0]
    assert reconcile.claim(clocked, fresh)
    assert reconcile.reconcile_one(clocked, fresh) == "completed"
    assert bank(clocked).transfer_status(transfer.idempotency_key).state == "completed"
