"""Calling a held transfer back (CONTRACT §8): one conditional UPDATE `held` -> `cancelled`,
which races the scheduler's `held` -> `pending` (`banking.transfers.release`): exactly one
wins. A cancelled transfer gives back the daily limit it took, on the day it was made."""
from __future__ import annotations

from sqlalchemy import Connection, select, update

from banking.audit.trail import Actor
from banking.core.dialog import Recall
from banking.core.formats import aware
from banking.platform.services import Services
from banking.platform.store.tables import transfers
from banking.transfers import limits, notify
from banking.transfers.model import Transfer


def recall_facts(conn: Connection, user_id: str) -> Recall | None:
    """What a request to cancel concerns: the user's newest held transfer, else their newest
    transfer of any status (to say it was already sent), else None."""
    newest = select(transfers).where(transfers.c.user_id == user_id).order_by(transfers.c.created_at.desc(),
                                                                               transfers.c.id).limit(1)
    row = conn.execute(newest.where(transfers.c.status == "held")).first() or conn.execute(newest).first()
    if row is None:
        return None
    return Recall(row.id, row.status, int(row.amount), row.payee, row.from_bank,
                  None if row.release_at is None else aware(row.release_at))


def cancel(conn: Connection, services: Services, transfer_id: str, user_id: str, actor: Actor) -> Transfer:
    """Cancel the user's held transfer if it is still held; the transfer as it stands after
    (its status says whether the cancel won)."""
    now = services.clock()
    won = conn.execute(update(transfers).where(
        transfers.c.id == transfer_id, transfers.c.user_id == user_id, transfers.c.status == "held",
    ).values(status="cancelled", updated_at=now, notify_settled=False)).rowcount == 1
    transfer = Transfer.from_mapping(conn.execute(select(transfers).where(transfers.c.id == transfer_id)).one()._mapping)
    if won:
        limits.count(conn, user_id, transfer.day, -transfer.amount)  # given back
        notify.cancelled(conn, services, transfer)
        services.audit.append(conn, "transfer.cancelled", transfer.audit_detail(), actor)
    return transfer
