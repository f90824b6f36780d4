"""The reconciler: settles pending transfers by asking the bank with the status inquiry, under
the exactly-once rule (`banking.transfers.send`); it never sends again with a new key, and
resends with the same key only a send the bank throttled. Every service process runs it
(`banking.bootstrap.jobs`); a claim in the database gives each transfer to one at a time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update

from adapters.base import DefinitelyFailed, OutcomeUnknown, RetryLater
from banking.audit.trail import Actor
from banking.platform import metrics
from banking.platform.partners import CallLog
from banking.platform.services import Services
from banking.platform.store.tables import transfers
from banking.transfers import release
from banking.transfers.model import WORKER_ID, Transfer
from banking.transfers.send import Outcome, begin_send, classify, execute, record_attempt, send, send_window

#: how long one reconciliation round owns a pending transfer
CLAIM_S = 30


def inquire(services: Services, transfer: Transfer, calls: CallLog) -> Outcome:
    try:
        result = services.partners.call(calls, transfer.from_bank, "transfer_status",
                                        lambda a: a.transfer_status(transfer.idempotency_key))
    except RetryLater as exc:
        return Outcome("pending", last_outcome=transfer.last_outcome or "unknown", retry_after=exc.retry_after)
    except (OutcomeUnknown, DefinitelyFailed):
        return Outcome("pending", last_outcome=transfer.last_outcome or "unknown")
    return classify(result)


def due(services: Services, limit: int = 20) -> list[Transfer]:
    now = services.clock()
    with services.db.read() as conn:
        rows = conn.execute(select(transfers).where(
            transfers.c.status == "pending",
            or_(transfers.c.next_check_at.is_(None), transfers.c.next_check_at <= now),
        ).order_by(transfers.c.next_check_at).limit(limit)).all()
    return [Transfer.from_mapping(r._mapping) for r in rows]


def claim(services: Services, transfer: Transfer) -> bool:
    """Take a pending transfer for one reconciliation round; exactly one process wins."""
    now = services.clock()
    with services.db.begin() as conn:
        return conn.execute(update(transfers).where(
            transfers.c.id == transfer.id, transfers.c.status == "pending",
            or_(transfers.c.claimed_until.is_(None), transfers.c.claimed_until < now),
        ).values(claimed_by=WORKER_ID, claimed_until=now + dt.timedelta(seconds=CLAIM_S))).rowcount == 1


def reconcile_one(services: Services, transfer: Transfer) -> str:
    """One look at a pending transfer, under the exactly-once rule (cases (a) and (b))."""
    actor = Actor(user_id=transfer.user_id, request_id=f"reconciler:{WORKER_ID}")
    now = services.clock()
    with CallLog() as calls:
        if transfer.send_started_at is None:
            if transfer.send_by is not None and now <= transfer.send_by:
                return record_attempt(services, transfer, Outcome("pending", last_outcome="unsent"), calls, actor)
            if transfer.release_at is not None:
                # a released held transfer whose process died before its send: sent now, not failed
                rearmed = release.rearm(services, transfer)
                return execute(services, rearmed, actor) if rearmed is not None else "pending"
            # (a): never sent, and once this commits never will be; the bank cannot know it
            return record_attempt(services, transfer, Outcome("failed", reason="not_sent", last_outcome="unsent"),
                                  calls, actor, guard=transfers.c.send_started_at.is_(None))
        outcome = inquire(services, transfer, calls)
        guard = None
        if outcome.last_outcome == "not_found":
            cutoff = now - send_window(services) - dt.timedelta(seconds=services.settings.clock_skew_s)
            if transfer.last_outcome == "retry_later":
                # the bank throttled it and never received it: the same key may be sent again
                started = begin_send(services, transfer, resend=True)
                outcome = (send(services, transfer, calls, started) if started
                           else Outcome("pending", last_outcome="retry_later"))
            elif transfer.send_started_at <= cutoff:
                # (b): the bank never received it and will refuse it if it ever arrives
                outcome = Outcome("failed", reason="not_received", last_outcome="not_found")
                guard = transfers.c.send_started_at <= cutoff
        return record_attempt(services, transfer, outcome, calls, actor, guard)


def reconcile_once(services: Services) -> int:
    settled = 0
    for transfer in due(services):
        if claim(services, transfer) and reconcile_one(services, transfer) != "pending":
            settled += 1
    with services.db.read() as conn:
        pending = conn.execute(select(func.count()).select_from(transfers)
                               .where(transfers.c.status == "pending")).scalar_one()
    metrics.PENDING_TRANSFERS.set(pending)
    return settled
