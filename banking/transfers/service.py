"""Transfers that move money exactly once.

1. `reserve`: in one transaction, the daily limit is taken atomically and the transfer row
   with the bank's idempotency key is committed as `pending`, before the bank hears of it.
2. `execute`: a send begins only through `begin_send` (below); the bank is called once with
   the key; the answer is classified by the port.
3. `settle`: a definite answer moves `pending` to `completed` or `failed` (only ever forward,
   with a conditional UPDATE, so racing settlers settle once). An unknown answer stays
   `pending` and the reconciler asks the bank with the status inquiry, with backoff, also
   after a restart; it never sends again with a new key.

The exactly-once rule: when "not found" may end a transfer as failed
-----------------------------------------------------------------------
A bank answers "not found" for a transfer it has not received. That proves nothing while a
send of it may still be on its way, or still waiting in a queue of couchbank's own. So:

* `reserve` writes `send_by = created_at + send_start_s`. A send may begin only through
  `begin_send`, one conditional UPDATE that succeeds only while the transfer is `pending`,
  no send began before and `send_by` has not passed (or, to resend after the bank
  throttled it and so never received it, while the caller holds the reconciler's claim).
  It writes `send_started_at`. A send that finds its transfer settled or too late never
  calls the bank.
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

import dataclasses
import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import ColumnElement, Connection, and_, bindparam, func, or_, select, update

from adapters.base import (
    AccountUnavailable,
    DefinitelyFailed,
    InsufficientFunds,
    OutcomeUnknown,
    RetryLater,
    TransferRequest,
    TransferResult,
)
from banking.audit.trail import Actor, Event
from banking.core.dialog import mask
from banking.platform import metrics
from banking.platform.partners import CallLog
from banking.platform.security import account_numbers
from banking.platform.security.keys import Keyring
from banking.platform.services import Services
from banking.platform.store import insert_ignore
from banking.platform.store.tables import daily_usage, transfers

log = structlog.get_logger(__name__)
KST = ZoneInfo("Asia/Seoul")
#: how long one reconciliation round owns a pending transfer
CLAIM_S = 30
MAX_BACKOFF_S = 60
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def kst_day(at: dt.datetime) -> str:
    return at.astimezone(KST).date().isoformat()


@dataclass(frozen=True)
class Transfer:
    id: str
    user_id: str
    from_bank: str
    # the account numbers, sealed (`banking.platform.security.account_numbers`): opened only for the bank
    from_account_enc: bytes
    from_last4: str
    payee: str
    to_bank: str
    to_account_enc: bytes
    to_last4: str
    amount: int
    status: str
    idempotency_key: str
    day: str
    attempts: int
    last_outcome: str | None
    created_at: dt.datetime
    send_by: dt.datetime | None
    send_started_at: dt.datetime | None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> "Transfer":
        names = [f.name for f in dataclasses.fields(cls)]
        values = {name: row[name] for name in names}
        for name in ("created_at", "send_by", "send_started_at"):
            at = values[name]
            values[name] = at if at is None or at.tzinfo else at.replace(tzinfo=dt.UTC)
        return cls(**values)

    def request(self, keys: Keyring, not_after: dt.datetime) -> TransferRequest:
        return TransferRequest(self.idempotency_key, account_numbers.transfer_number(keys, self, "from_account"),
                               self.to_bank, account_numbers.transfer_number(keys, self, "to_account"),
                               self.payee, self.amount, memo="couchbank", not_after=not_after)

    def audit_detail(self, **extra: Any) -> dict[str, Any]:
        return {"transfer_id": self.id, "amount": self.amount, "payee": self.payee,
                "from_bank": self.from_bank, "from_account": mask(self.from_last4),
                "to_bank": self.to_bank, "to_account": mask(self.to_last4), **extra}


_USED_TODAY = select(daily_usage.c.total).where(daily_usage.c.user_id == bindparam("user_id"),
                                                daily_usage.c.day == bindparam("day"))


def used_today(conn: Connection, user_id: str, now: dt.datetime) -> int:
    total = conn.execute(_USED_TODAY, {"user_id": user_id, "day": kst_day(now)}).scalar()
    return int(total or 0)


def reserve(conn: Connection, services: Services, *, user_id: str, daily_limit: int, from_bank: str,
            from_account: str, payee: str, to_bank: str, to_account: str, amount: int,
            actor: Actor) -> Transfer | None:
    """Take the daily limit and write the transfer down as pending; None when the limit
    would be overshot. Completed and pending transfers count; failed ones give it back."""
    now = services.clock()
    day = kst_day(now)
    insert_ignore(conn, daily_usage, {"user_id": user_id, "day": day, "total": 0})
    took = conn.execute(update(daily_usage).where(
        daily_usage.c.user_id == user_id, daily_usage.c.day == day,
        daily_usage.c.total + amount <= daily_limit,
    ).values(total=daily_usage.c.total + amount)).rowcount == 1
    if not took:
        return None
    key = services.partners.adapters[from_bank].new_idempotency_key()
    send_by = now + dt.timedelta(seconds=services.settings.send_start_s)
    transfer_id = "tr_" + uuid.uuid4().hex
    row = {
        "id": transfer_id, "user_id": user_id, "session_id": actor.session_id,
        "device_id": actor.device_id, "from_bank": from_bank, "payee": payee, "to_bank": to_bank,
        **account_numbers.transfer_values(services.keys, transfer_id, from_account, to_account), "amount": amount,
        "status": "pending", "idempotency_key": key, "day": day, "attempts": 0,
        "last_outcome": None, "created_at": now, "updated_at": now,
        "send_by": send_by, "send_started_at": None,
        # this process sends it; the reconciler looks at it once its send had its chance
        "claimed_by": WORKER_ID, "claimed_until": send_by, "next_check_at": send_by,
    }
    conn.execute(transfers.insert().values(**row))
    metrics.TRANSFERS.labels("pending").inc()
    # the caller appends the `transfer.pending` event once its other rows are written: the
    # audit chain's head is the last lock every transaction takes, so none deadlocks
    return Transfer.from_mapping(row)


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


def _window(services: Services) -> dt.timedelta:
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
    settled_after = now + _window(services) + dt.timedelta(seconds=services.settings.clock_skew_s)
    with services.db.begin() as conn:
        began = conn.execute(update(transfers).where(
            transfers.c.id == transfer.id, transfers.c.status == "pending", allowed,
        ).values(send_started_at=now, claimed_by=WORKER_ID, claimed_until=settled_after,
                 next_check_at=settled_after)).rowcount == 1
    return now if began else None


def send(services: Services, transfer: Transfer, calls: CallLog, started: dt.datetime) -> Outcome:
    """Call the bank once; only after `begin_send` said `started`."""
    request = transfer.request(services.keys, not_after=started + _window(services))
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


def inquire(services: Services, transfer: Transfer, calls: CallLog) -> Outcome:
    try:
        result = services.partners.call(calls, transfer.from_bank, "transfer_status",
                                        lambda a: a.transfer_status(transfer.idempotency_key))
    except RetryLater as exc:
        return Outcome("pending", last_outcome=transfer.last_outcome or "unknown", retry_after=exc.retry_after)
    except (OutcomeUnknown, DefinitelyFailed):
        return Outcome("pending", last_outcome=transfer.last_outcome or "unknown")
    return classify(result)


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
        _count_today(conn, transfer, -transfer.amount)  # given back
    services.audit.append(conn, f"transfer.{outcome.status}",
                          transfer.audit_detail(reason=outcome.reason), actor)
    metrics.TRANSFERS.labels(outcome.status).inc()
    return outcome.status


def _count_today(conn: Connection, transfer: Transfer, change: int) -> None:
    conn.execute(update(daily_usage).where(daily_usage.c.user_id == transfer.user_id,
                                           daily_usage.c.day == transfer.day)
                 .values(total=daily_usage.c.total + change))


def _correct(conn: Connection, services: Services, transfer: Transfer, outcome: Outcome, actor: Actor,
             now: dt.datetime) -> str:
    """The bank posted a transfer couchbank had recorded as failed. The exactly-once rule
    exists so that this never happens; if a partner breaks its side of it, the bank's
    ledger is the truth: the record says completed, the limit is taken again, and the
    trail and the metrics say what happened."""
    conn.execute(update(transfers).where(transfers.c.id == transfer.id, transfers.c.status == "failed").values(
        status="completed", bank_reference=outcome.bank_reference, last_outcome=outcome.last_outcome,
        updated_at=now))
    _count_today(conn, transfer, transfer.amount)
    services.audit.append(conn, "transfer.completed",
                          transfer.audit_detail(corrected_from="failed"), actor)
    metrics.TRANSFER_DISCREPANCIES.inc()
    log.error("transfer_discrepancy", transfer_id=transfer.id, recorded="failed", bank="completed")
    return "completed"


def call_events(calls: CallLog, actor: Actor) -> list[Event]:
    """The audit events of the partner calls made since the last drain."""
    return [(call.audit_type, call.audit_detail(), actor) for call in calls.drain()]


def execute(services: Services, transfer: Transfer, actor: Actor) -> str:
    """Send a reserved transfer and record the answer; returns the status. Runs in the send
    pool so that a voice turn can answer "being confirmed" when the bank is slow; a send
    that starts too late, or after the transfer was settled, never calls the bank."""
    started = begin_send(services, transfer)
    if started is None:
        return status_of(services, transfer.id)
    with CallLog() as calls:
        outcome = send(services, transfer, calls, started)
        return _record_attempt(services, transfer, outcome, calls, actor)


def status_of(services: Services, transfer_id: str) -> str:
    with services.db.read() as conn:
        return str(conn.execute(select(transfers.c.status).where(transfers.c.id == transfer_id)).scalar_one())


def _record_attempt(services: Services, transfer: Transfer, outcome: Outcome, calls: CallLog,
                    actor: Actor, guard: ColumnElement[bool] | None = None) -> str:
    events = call_events(calls, actor)  # logged before the write lock is taken
    with services.db.begin() as conn:
        status = settle(conn, services, transfer, outcome, actor, guard)
        services.audit.append_many(conn, events)
        return status


# -- reconciliation ------------------------------------------------------------------------

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
    """One look at a pending transfer, under the exactly-once rule (module docstring)."""
    actor = Actor(user_id=transfer.user_id, request_id=f"reconciler:{WORKER_ID}")
    now = services.clock()
    with CallLog() as calls:
        if transfer.send_started_at is None:
            if transfer.send_by is not None and now <= transfer.send_by:
                return _record_attempt(services, transfer, Outcome("pending", last_outcome="unsent"), calls, actor)
            # (a): never sent, and once this commits never will be; the bank cannot know it
            return _record_attempt(services, transfer, Outcome("failed", reason="not_sent", last_outcome="unsent"),
                                   calls, actor, guard=transfers.c.send_started_at.is_(None))
        outcome = inquire(services, transfer, calls)
        guard = None
        if outcome.last_outcome == "not_found":
            cutoff = now - _window(services) - dt.timedelta(seconds=services.settings.clock_skew_s)
            if transfer.last_outcome == "retry_later":
                # the bank throttled it and never received it: the same key may be sent again
                started = begin_send(services, transfer, resend=True)
                outcome = (send(services, transfer, calls, started) if started
                           else Outcome("pending", last_outcome="retry_later"))
            elif transfer.send_started_at <= cutoff:
                # (b): the bank never received it and will refuse it if it ever arrives
                outcome = Outcome("failed", reason="not_received", last_outcome="not_found")
                guard = transfers.c.send_started_at <= cutoff
        return _record_attempt(services, transfer, outcome, calls, actor, guard)


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


def get(conn: Connection, user_id: str, transfer_id: str) -> Any:
    return conn.execute(select(transfers).where(and_(transfers.c.id == transfer_id,
                                                     transfers.c.user_id == user_id))).first()


def recent(conn: Connection, user_id: str, limit: int) -> list[Any]:
    return list(conn.execute(select(transfers).where(transfers.c.user_id == user_id)
                             .order_by(transfers.c.created_at.desc(), transfers.c.id).limit(limit)).all())
