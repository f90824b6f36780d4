"""How couchbank writes account numbers and times, in one place: an account number only ever
as its last four digits (CONTRACT §4.2), times in UTC, and days in Korea's time zone, where
the daily limit and spoken dates are counted."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")


def last4(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-4:]


def mask(number: str) -> str:
    """The only form of an account number fit for a reply, an audit event or a log line."""
    return f"***-***-{last4(number)}"


def aware(at: dt.datetime) -> dt.datetime:
    """`at` with its zone; a naive time is UTC (SQLite keeps times without one)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def utc(at: dt.datetime) -> dt.datetime:
    """`at` in UTC; a naive time already is."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
