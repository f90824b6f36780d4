"""Notices about transfers (`banking.notices`): a settlement the person did not hear in their
conversation (the turn answered `pending`, or the transfer was held) is told as a notice.

The turn marks a transfer it answered `pending` (`follow`) with a conditional UPDATE on the
row that `settle` also moves conditionally, so the two serialise: either `settle` finds the
mark and publishes, or `follow` finds the transfer settled and publishes itself."""
from __future__ import annotations

from sqlalchemy import Connection, select, update

from banking import notices
from banking.core.dialog import Reply
from banking.platform.services import Services
from banking.platform.store.tables import transfers
from banking.transfers.model import Transfer


def follow(conn: Connection, services: Services, transfer: Transfer) -> None:
    """The person was told `pending`: tell them how it ends."""
    marked = conn.execute(update(transfers).where(transfers.c.id == transfer.id, transfers.c.status == "pending")
                          .values(notify_settled=True)).rowcount == 1
    if not marked:
        row = conn.execute(select(transfers.c.status, transfers.c.failure_reason)
                           .where(transfers.c.id == transfer.id)).one()
        _publish(conn, services, transfer, row.status, row.failure_reason)


def settled(conn: Connection, services: Services, transfer: Transfer, status: str, reason: str | None) -> None:
    """`settle` moved the transfer to `status`: a notice if nobody heard of it in a turn."""
    wanted = conn.execute(select(transfers.c.notify_settled).where(transfers.c.id == transfer.id)).scalar()
    if wanted:
        _publish(conn, services, transfer, status, reason)


def _publish(conn: Connection, services: Services, transfer: Transfer, status: str, reason: str | None) -> None:
    if status == "completed":
        reply = Reply("transfer_completed", {"payee": transfer.payee, "amount": transfer.amount})
    elif status == "failed":
        reply = Reply("transfer_failed", {"payee": transfer.payee, "reason": reason or "rejected"})
    else:
        return
    notices.publish(conn, user_id=transfer.user_id, at=services.clock(), kind=f"transfer.{status}", reply=reply,
                    transfer_id=transfer.id)


def released(conn: Connection, services: Services, transfer: Transfer) -> None:
    notices.publish(conn, user_id=transfer.user_id, at=services.clock(), kind="transfer.released",
                    reply=Reply("notice_released", {"payee": transfer.payee, "amount": transfer.amount}),
                    transfer_id=transfer.id)


def cancelled(conn: Connection, services: Services, transfer: Transfer) -> None:
    notices.publish(conn, user_id=transfer.user_id, at=services.clock(), kind="transfer.cancelled",
                    reply=Reply("transfer_cancelled", {"payee": transfer.payee, "amount": transfer.amount}),
                    transfer_id=transfer.id)
