"""Steps 2 and 3 of a transfer: send it to the bank once, and record what the bank said.

2. `execute`: a send begins only through `begin_send` (below); the bank is called once with
   the key; the answer is classified by the port.
3. `settle`: a definite answer moves `pending` to `completed` or `failed` (only ever forward,
   with a conditional UPDATE, so racing settlers settle once). An unknown answer stays
   `pending` and the reconciler (`banking.transfers.reconcile`) asks the bank with the status
   inquiry, with backoff, also after a restart; it never sends again with a new key.

The exactly-once rule: when "not found" may end a transfer as failed
-----------------------------------------------------------------------
A bank answers "not found" for a transfer it has not received. That proves nothing while a
send of it may still be on its way, or still waiting in a queue of couchbank's own. So:

* `reserve` (`banking.transfers.reservation`) writes `send_by = created_at + send_start_s`.
  A send may begin only through `begin_send`, one conditional UPDATE that succeeds only
  while the transfer is `pending`, no send began before and `send_by` has not passed (or, to
  resend after the bank throttled it and so never received it, while the caller holds the
  reconciler's claim). It writes `send_started_at`. A send that finds its transfer settled
  or too late never calls the bank.
* Every send tells the bank `not_after = send_started_at + W`, W = `send_window_s` (the
  adapter's connect plus read timeout): the bank refuses, and never posts, a request that
  reaches it later. Within W a request has either reached the bank (whose inquiry then says
  "processing" or its result, never "not found") or been given up by couchbank.
* "Not found" ends a transfer as failed only
  (a) when no send ever began and `send_by` has passed: the same conditional UPDATE that
      fails it (`send_started_at IS NULL`) makes every later `begin_send` match nothing; or
  (b) when the latest send began before `now - W - clock_skew_s`: by then the bank's clock
      too has passed `not_after`, so the request is at the bank (and would not be "not
      found") or will be refused if it ever arrives. The UPDATE checks that no send began
      after that cutoff.
* A definite answer that comes for a transfer already settled the other way is recorded
  as a discrepancy and the bank's word is taken (`settle`): the bank's ledger is the truth.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog
from sqlalchemy import ColumnElement, Connection, and_, select, update

from adapters.base import (
    AccountUnavailable,
    DefinitelyFailed,
    InsufficientFunds,
    OutcomeUnknown,
    RetryLater,
    TransferResult,
)
from banking.audit.trail import Actor, Event
from banking.platform import metrics
from banking.platform.partners import CallLog
from banking.platform.services import Services
from banking.platform.store.tables import transfers
from banking.transfers import limits, notify
from banking.transfers.model import WORKER_ID, Transfer

log = structlog.get_logger(__name__)
MAX_BACKOFF_S = 60


@dataclass(frozen=True)
class Outcome:
    """What one attempt at the bank said, as couchbank will record it."""

    status: str  # completed | failed | pending
    reason: str | None = None
    bank_reference: str | None = None
    last_outcome: str = "ok"
    retry_after: float | None = None


def classify(result: TransferResult) -> Outcome:
    if result.state == "completed":
        return Outcome("completed", bank_reference=result.bank_reference)
    if result.state == "failed":
        return Outcome("failed", reason=result.reason or "rejected", last_outcome="failed")
    return Outcome("pending", last_outcome="unknown" if result.state == "processing" else "not_found")


def send_window(services: Services) -> dt.timedelta:
    """W in the exactly-once rule: how long after its start a send may still reach the bank."""
    return dt.timedelta(seconds=services.settings.send_window_s)


def begin_send(services: Services, transfer: Transfer, *, resend: bool = False) -> dt.datetime | None:
    """Record that a send of `transfer` begins now, if one still may (the exactly-once rule,
    above); the time it began, or None when the transfer must not be sent."""
    now = services.clock()
    if resend:  # the bank throttled the last send, so never received it; the claim is ours
        allowed = and_(transfers.c.last_outcome == "retry_later", transfers.c.claimed_by == WORKER_ID)
    else:
        allowed = and_(transfers.c.send_started_at.is_(None), transfers.c.send_by >= now)
    # nobody asks the bank about it before its send could have arrived
    settled_after = now + send_window(services) + dt.timedelta(seconds=services.settings.clock_skew_s)
    with services.db.begin() as conn:
        began = conn.execute(update(transfers).where(
            transfers.c.id == transfer.id, transfers.c.status == "pending", allowed,
        ).values(send_started_at=now, claimed_by=WORKER_ID, claimed_until=settled_after,
                 next_check_at=settled_after)).rowcount == 1
    return now if began else None


def send(services: Services, transfer: Transfer, calls: CallLog, started: dt.datetime) -> Outcome:
    """Call the bank once; only after `begin_send` said `started`."""
    request = transfer.request(services.keys, not_after=started + send_window(services))
    try:
        result = services.partners.call(calls, transfer.from_bank, "transfer",
                                        lambda a: a.transfer(request))
    except InsufficientFunds:
        return Outcome("failed", reason="insufficient_funds", last_outcome="failed")
    except AccountUnavailable:
        return Outcome("failed", reason="account_unavailable", last_outcome="failed")
    except DefinitelyFailed:
        return Outcome("failed", reason="rejected", last_outcome="failed")
    except RetryLater as exc:
        return Outcome("pending", last_outcome="retry_later", retry_after=exc.retry_after)
    except OutcomeUnknown:
        return Outcome("pending", last_outcome="unknown")
    outcome = classify(result)
    # "not found" right after sending means the bank has not recorded it yet: unknown
    return outcome if outcome.status != "pending" else Outcome("pending", last_outcome="unknown")


def execute(services: Services, transfer: Transfer, actor: Actor) -> str:
    """Send a reserved transfer and record the answer; returns the status. Runs in the send
    pool so that a voice turn can answer "being confirmed" when the bank is slow; a send
    that starts too late, or after the transfer was settled, never calls the bank."""
    started = begin_send(services, transfer)
    if started is None:
        return _status_of(services, transfer.id)
    with CallLog() as calls:
        outcome = send(services, transfer, calls, started)
        return record_attempt(services, transfer, outcome, calls, actor)


def _status_of(services: Services, transfer_id: str) -> str:
    with services.db.read() as conn:
        return str(conn.execute(select(transfers.c.status).where(transfers.c.id == transfer_id)).scalar_one())


def call_events(calls: CallLog, actor: Actor) -> list[Event]:
    """The audit events of the partner calls made since the last drain."""
    return [(call.audit_type, call.audit_detail(), actor) for call in calls.drain()]


def record_attempt(services: Services, transfer: Transfer, outcome: Outcome, calls: CallLog,
                   actor: Actor, guard: ColumnElement[bool] | None = None) -> str:
    """Settle one attempt, in one commit with the audit events of its partner calls."""
    events = call_events(calls, actor)  # logged before the write lock is taken
    with services.db.begin() as conn:
        status = settle(conn, services, transfer, outcome, actor, guard)
        services.audit.append_many(conn, events)
        return status


def settle(conn: Connection, services: Services, transfer: Transfer, outcome: Outcome, actor: Actor,
           guard: ColumnElement[bool] | None = None) -> str:
    """Record an attempt's outcome; `guard` is a further condition a definite move needs.
    Returns the transfer's status afterwards."""
    now = services.clock()
    if outcome.status == "pending":
        backoff = min(MAX_BACKOFF_S, 2 ** min(transfer.attempts, 6))
        if outcome.retry_after:
            backoff = max(backoff, outcome.retry_after)
        conn.execute(update(transfers).where(transfers.c.id == transfer.id, transfers.c.status == "pending").values(
            attempts=transfers.c.attempts + 1, last_outcome=outcome.last_outcome, updated_at=now,
            next_check_at=now + dt.timedelta(seconds=backoff), claimed_by=None, claimed_until=None))
        return "pending"
    moved = conn.execute(update(transfers).where(
        transfers.c.id == transfer.id, transfers.c.status == "pending", *([guard] if guard is not None else []),
    ).values(
        status=outcome.status, failure_reason=outcome.reason, bank_reference=outcome.bank_reference,
        last_outcome=outcome.last_outcome, updated_at=now, claimed_by=None, claimed_until=None,
        next_check_at=None)).rowcount == 1
    if not moved:
        current = str(conn.execute(select(transfers.c.status).where(transfers.c.id == transfer.id)).scalar_one())
        if current == "failed" and outcome.status == "completed":
            return _correct(conn, services, transfer, outcome, actor, now)
        return current  # settled the same way first, or the guard held it back: theirs stands
    if outcome.status == "failed":
        limits.count(conn, transfer.user_id, transfer.day, -transfer.amount)  # given back
    notify.settled(conn, services, transfer, outcome.status, outcome.reason)
    services.audit.append(conn, f"transfer.{outcome.status}",
                          transfer.audit_detail(reason=outcome.reason), actor)
    metrics.TRANSFERS.labels(outcome.status).inc()
    return outcome.status


def _correct(conn: Connection, services: Services, transfer: Transfer, outcome: Outcome, actor: Actor,
             now: dt.datetime) -> str:
    """The bank posted a transfer couchbank had recorded as failed. The exactly-once rule
    exists so that this never happens; if a partner breaks its side of it, the bank's
    ledger is the truth: the record says completed, the limit is taken again, and the
    trail and the metrics say what happened."""
    conn.execute(update(transfers).where(transfers.c.id == transfer.id, transfers.c.status == "failed").values(
        status="completed", bank_reference=outcome.bank_reference, last_outcome=outcome.last_outcome,
        updated_at=now))
    limits.count(conn, transfer.user_id, transfer.day, transfer.amount)
    services.audit.append(conn, "transfer.completed",
                          transfer.audit_detail(corrected_from="failed"), actor)
    metrics.TRANSFER_DISCREPANCIES.inc()
    log.error("transfer_discrepancy", transfer_id=transfer.id, recorded="failed", bank="completed")
    return "completed"
