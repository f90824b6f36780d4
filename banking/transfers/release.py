"""The scheduler of held transfers (CONTRACT §8): a durable one, because its schedule is the
`transfers` rows themselves (`status = 'held'`, `release_at`), so it survives restarts and
SIGKILL, and every service process runs it (`banking.bootstrap.jobs`).

Release is one conditional UPDATE `held` -> `pending` that also gives the transfer a fresh
`send_by` (the exactly-once rule, `banking.transfers.send`), then the normal send
(`execute`, whose `begin_send` is the only way to the bank). The row is picked with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so processes releasing at once take different rows;
on SQLite the single writer (BEGIN IMMEDIATE) serialises them. A cancel (`banking.transfers.
cancel`) is the same kind of UPDATE from `held`: exactly one of them wins, and the audit
trail says which (`transfer.released` or `transfer.cancelled`).

Should the process die between release and send, the transfer is `pending` with no send
begun; the reconciler then re-arms it (`rearm`) rather than failing it: the person was told
it would go, and was not waiting in a conversation to hear otherwise."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from banking.audit.trail import Actor
from banking.platform.services import Services
from banking.platform.store.tables import transfers
from banking.transfers import notify
from banking.transfers.model import WORKER_ID, Transfer
from banking.transfers.send import execute

#: at most this many transfers released in one round; the next round takes the rest
ROUND = 20


def _armed(services: Services, now: dt.datetime) -> dict[str, object]:
    send_by = now + dt.timedelta(seconds=services.settings.send_start_s)
    # this process sends it; the reconciler looks at it once its send had its chance
    return {"status": "pending", "send_by": send_by, "claimed_by": WORKER_ID, "claimed_until": send_by,
            "next_check_at": send_by, "updated_at": now}


def release_one(services: Services) -> Transfer | None:
    """Move the most overdue held transfer to `pending`, with its event and notice, in one
    commit; None when none is due (or every due one is another process's right now)."""
    now = services.clock()
    with services.db.begin() as conn:
        picked = conn.execute(select(transfers.c.id).where(transfers.c.status == "held", transfers.c.release_at <= now)
                              .order_by(transfers.c.release_at).limit(1)
                              .with_for_update(skip_locked=True)).scalar()
        if picked is None:
            return None
        if conn.execute(update(transfers).where(transfers.c.id == picked, transfers.c.status == "held")
                        .values(**_armed(services, now))).rowcount != 1:
            return None  # cancelled first
        transfer = Transfer.from_mapping(conn.execute(select(transfers).where(transfers.c.id == picked)).one()._mapping)
        notify.released(conn, services, transfer)
        services.audit.append(conn, "transfer.released", transfer.audit_detail(), _actor(transfer))
    return transfer


def release_due(services: Services) -> int:
    """One round of the scheduler: release and send each due transfer, one after the other,
    so each send begins well within its fresh `send_by`."""
    released = 0
    while released < ROUND:
        transfer = release_one(services)
        if transfer is None:
            break
        execute(services, transfer, _actor(transfer))
        released += 1
    return released


def rearm(services: Services, transfer: Transfer) -> Transfer | None:
    """A released transfer whose send never began (its process died between release and
    send): a fresh `send_by`, while still no send has begun; None if one did meanwhile."""
    now = services.clock()
    with services.db.begin() as conn:
        if conn.execute(update(transfers).where(
                transfers.c.id == transfer.id, transfers.c.status == "pending",
                transfers.c.send_started_at.is_(None)).values(**_armed(services, now))).rowcount != 1:
            return None
        return Transfer.from_mapping(conn.execute(select(transfers).where(transfers.c.id == transfer.id)).one()._mapping)


def _actor(transfer: Transfer) -> Actor:
    return Actor(user_id=transfer.user_id, request_id=f"scheduler:{WORKER_ID}")
