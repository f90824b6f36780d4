"""Read-only questions about a user's transfers, for `GET /v1/transfers`."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select

from banking.platform.store.tables import transfers


def get(conn: Connection, user_id: str, transfer_id: str) -> Any:
    return conn.execute(select(transfers).where(and_(transfers.c.id == transfer_id,
                                                     transfers.c.user_id == user_id))).first()


def recent(conn: Connection, user_id: str, limit: int) -> list[Any]:
    return list(conn.execute(select(transfers).where(transfers.c.user_id == user_id)
                             .order_by(transfers.c.created_at.desc(), transfers.c.id).limit(limit)).all())
