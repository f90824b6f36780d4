"""Transfers that move money exactly once.

1. `reserve`: in one transaction, the daily limit is taken atomically and the transfer row
   with the bank's idempotency key is committed as `pending`, before the bank hears of it.
2. `send`: the bank is called once with that key; the answer is classified by the port.
3. `settle`: a definite answer moves `pending` to `completed` or `failed` (only ever forward,
   with a conditional UPDATE, so racing settlers settle once). An unknown answer stays
   `pending` and the reconciler asks the bank with the status inquiry, with backoff, also
   after a restart; it never sends again with a new key.
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

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from adapters.base import (
    AccountUnavailable,
    DefinitelyFailed,
    InsufficientFunds,
    OutcomeUnknown,
    RetryLater,
    TransferRequest,
    TransferResult,
)
from banking import metrics
from banking.audit import Actor, Event
from banking.partners import CallLog
from banking.services import Services
from banking.store import insert_ignore
from banking.store.tables import daily_usage, transfers

KST = ZoneInfo("Asia/Seoul")
#: how long a sender owns a pending transfer before the reconciler may ask about it
CLAIM_S = 30
#: a bank answers "not found" only for a transfer it never received; allow for requests
#: still in flight before believing it
NOT_FOUND_GRACE_S = 20
MAX_BACKOFF_S = 60
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def kst_day(at: dt.datetime) -> str:
    return at.astimezone(KST).date().isoformat()


@dataclass(frozen=True)
class Transfer:
    id: str
    user_id: str
    from_bank: str
    from_account: str
    payee: str
    to_bank: str
    to_account: str
    amount: int
    status: str
    idempotency_key: str
    day: str
    attempts: int
    last_outcome: str | None
    created_at: dt.datetime

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> "Transfer":
        names = [f.name for f in dataclasses.fields(cls)]
        values = {name: row[name] for name in names}
        created = values["created_at"]
        values["created_at"] = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
        return cls(**values)

    def request(self) -> TransferRequest:
        return TransferRequest(self.idempotency_key, self.from_account, self.to_bank,
                               self.to_account, self.payee, self.amount, memo="couchbank")

    def audit_detail(self, **extra: Any) -> dict[str, Any]:
        from banking.dialog import mask

        return {"transfer_id": self.id, "amount": self.amount, "payee": self.payee,
                "from_bank": self.from_bank, "from_account": mask(self.from_account),
                "to_bank": self.to_bank, "to_account": mask(self.to_account), **extra}


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
    row = {
        "id": "tr_" + uuid.uuid4().hex, "user_id": user_id, "session_id": actor.session_id,
        "device_id": actor.device_id, "from_bank": from_bank, "from_account": from_account,
        "payee": payee, "to_bank": to_bank, "to_account": to_account, "amount": amount,
        "status": "pending", "idempotency_key": key, "day": day, "attempts": 0,
        "last_outcome": None, "created_at": now, "updated_at": now,
        # the sender owns it while its call is in flight; after that the reconciler may ask
        "claimed_by": WORKER_ID, "claimed_until": now + dt.timedelta(seconds=CLAIM_S),
        "next_check_at": now + dt.timedelta(seconds=CLAIM_S),
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


def send(services: Services, transfer: Transfer, calls: CallLog) -> Outcome:
    try:
        result = services.partners.call(calls, transfer.from_bank, "transfer",
                                        lambda a: a.transfer(transfer.request()))
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


def settle(conn: Connection, services: Services, transfer: Transfer, outcome: Outcome, actor: Actor) -> str:
    """Record an attempt's outcome. Returns the transfer's status afterwards."""
    now = services.clock()
    if outcome.status == "pending":
        backoff = min(MAX_BACKOFF_S, 2 ** min(transfer.attempts, 6))
        if outcome.retry_after:
            backoff = max(backoff, outcome.retry_after)
        conn.execute(update(transfers).where(transfers.c.id == transfer.id, transfers.c.status == "pending").values(
            attempts=transfers.c.attempts + 1, last_outcome=outcome.last_outcome, updated_at=now,
            next_check_at=now + dt.timedelta(seconds=backoff), claimed_by=None, claimed_until=None))
        return "pending"
    moved = conn.execute(update(transfers).where(transfers.c.id == transfer.id, transfers.c.status == "pending").values(
        status=outcome.status, failure_reason=outcome.reason, bank_reference=outcome.bank_reference,
        last_outcome=outcome.last_outcome, updated_at=now, claimed_by=None, claimed_until=None,
        next_check_at=None)).rowcount == 1
    if not moved:  # someone else settled it first; theirs stands
        return str(conn.execute(select(transfers.c.status).where(transfers.c.id == transfer.id)).scalar_one())
    if outcome.status == "failed":
        conn.execute(update(daily_usage).where(daily_usage.c.user_id == transfer.user_id,
                                               daily_usage.c.day == transfer.day)
                     .values(total=daily_usage.c.total - transfer.amount))
    services.audit.append(conn, f"transfer.{outcome.status}",
                          transfer.audit_detail(reason=outcome.reason), actor)
    metrics.TRANSFERS.labels(outcome.status).inc()
    return outcome.status


def call_events(calls: CallLog, actor: Actor) -> list[Event]:
    """The audit events of the partner calls made since the last drain."""
    return [(call.audit_type, call.audit_detail(), actor) for call in calls.drain()]


def execute(services: Services, transfer: Transfer, actor: Actor) -> str:
    """Send a reserved transfer and record the answer; returns the status. Runs in a worker
    thread so that a voice turn can answer "being confirmed" when the bank is slow."""
    with CallLog() as calls:
        outcome = send(services, transfer, calls)
        return _record_attempt(services, transfer, outcome, calls, actor)


def _record_attempt(services: Services, transfer: Transfer, outcome: Outcome, calls: CallLog,
                    actor: Actor) -> str:
    events = call_events(calls, actor)  # logged before the write lock is taken
    with services.db.begin() as conn:
        status = settle(conn, services, transfer, outcome, actor)
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
    actor = Actor(user_id=transfer.user_id, request_id=f"reconciler:{WORKER_ID}")
    with CallLog() as calls:
        outcome = inquire(services, transfer, calls)
        if outcome.last_outcome == "not_found":
            age = (services.clock() - transfer.created_at).total_seconds()
            if transfer.last_outcome == "retry_later":
                # the bank throttled it and never received it: the same key may be sent again
                outcome = send(services, transfer, calls)
            elif age >= NOT_FOUND_GRACE_S:
                outcome = Outcome("failed", reason="rejected", last_outcome="not_found")
        return _record_attempt(services, transfer, outcome, calls, actor)


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
