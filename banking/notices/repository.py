"""The notices' SQL: written in the caller's transaction, read in short transactions of
their own (a long poll never keeps one open while it waits)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, delete, select

from banking.notices.model import Notice
from banking.platform.store.tables import notices, users

#: at most this many notices in one answer; the device asks again `after` the last one
PAGE = 50


def add(conn: Connection, *, user_id: str, at: dt.datetime, kind: str, speech: str, card: dict[str, Any],
        transfer_id: str | None) -> None:
    conn.execute(notices.insert().values(user_id=user_id, at=at, kind=kind, speech=speech,
                                         card=json.dumps(card, ensure_ascii=False), transfer_id=transfer_id))


def user_locale(conn: Connection, user_id: str) -> str:
    locale = conn.execute(select(users.c.locale).where(users.c.id == user_id)).scalar()
    return str(locale or "ko-KR")


def after(conn: Connection, user_id: str, after_id: int) -> list[Notice]:
    """The user's notices newer than `after_id`, oldest first."""
    rows = conn.execute(select(notices).where(notices.c.user_id == user_id, notices.c.id > after_id)
                        .order_by(notices.c.id).limit(PAGE)).all()
    return [Notice.from_mapping(r._mapping) for r in rows]


def prune(conn: Connection, before: dt.datetime) -> int:
    return int(conn.execute(delete(notices).where(notices.c.at < before)).rowcount)
