"""The daily limit: what a user has sent on one day, counted in Korea's time zone. Completed
and pending transfers count; a failed one gives its amount back."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, bindparam, select, update

from banking.core.formats import KST
from banking.platform.store import insert_ignore
from banking.platform.store.tables import daily_usage

_USED_TODAY = select(daily_usage.c.total).where(daily_usage.c.user_id == bindparam("user_id"),
                                                daily_usage.c.day == bindparam("day"))


def kst_day(at: dt.datetime) -> str:
    return at.astimezone(KST).date().isoformat()


def used_today(conn: Connection, user_id: str, now: dt.datetime) -> int:
    total = conn.execute(_USED_TODAY, {"user_id": user_id, "day": kst_day(now)}).scalar()
    return int(total or 0)


def take(conn: Connection, user_id: str, day: str, amount: int, daily_limit: int) -> bool:
    """Count `amount` against `day`, atomically, unless that would overshoot the limit."""
    insert_ignore(conn, daily_usage, {"user_id": user_id, "day": day, "total": 0})
    return conn.execute(update(daily_usage).where(
        daily_usage.c.user_id == user_id, daily_usage.c.day == day,
        daily_usage.c.total + amount <= daily_limit,
    ).values(total=daily_usage.c.total + amount)).rowcount == 1


def count(conn: Connection, user_id: str, day: str, change: int) -> None:
    """Give an amount back (negative `change`) or take it again, whatever the limit."""
    conn.execute(update(daily_usage).where(daily_usage.c.user_id == user_id, daily_usage.c.day == day)
                 .values(total=daily_usage.c.total + change))
