"""Reading the audit trail: filters, cursor paging and a constant-memory stream of events."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any, Iterator, Mapping

from sqlalchemy import ColumnElement, Connection, select

from banking.audit.trail import iso
from banking.core.formats import utc
from banking.platform.store.database import Database
from banking.platform.store.tables import audit_events, audit_head

STREAM_BATCH = 1000
MAX_SEQ = 2**63 - 1  # seq is a 64-bit column: a larger one cannot exist (nor be bound)


@dataclass(frozen=True)
class Filters:
    user_id: str | None = None
    device_id: str | None = None
    session_id: str | None = None
    #: an exact type, or every type under a prefix that ends with "."
    type: str | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> "Filters":
        return cls(**{k: values.get(k) or None for k in cls.__dataclass_fields__})

    def clauses(self) -> list[ColumnElement[bool]]:
        c = audit_events.c
        found: list[ColumnElement[bool]] = []
        for column, value in ((c.user_id, self.user_id), (c.device_id, self.device_id),
                              (c.session_id, self.session_id)):
            if value is not None:
                found.append(column == value)
        if self.type is not None:
            found.append(c.type.startswith(self.type, autoescape=True) if self.type.endswith(".")
                         else c.type == self.type)
        # SQLite compares the stored UTC text, so bounds must be UTC too
        if self.since is not None:
            found.append(c.at >= utc(self.since))
        if self.until is not None:
            found.append(c.at < utc(self.until))
        return found

    def asked(self) -> dict[str, Any]:
        """The filters as an auditor event records them: only those given, times in ISO."""
        return {k: iso(v) if isinstance(v, dt.datetime) else v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts (`after`) and the head seq when paging began (`upto`), so a
    walk through the pages sees one fixed set of events even while new ones are appended."""

    after: int
    upto: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"v1:{self.after}:{self.upto}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            version, after, upto = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().split(":")
            # within the 64-bit seq column: a larger number cannot be bound on PostgreSQL
            if version == "v1" and 0 <= int(after) <= int(upto) <= MAX_SEQ:
                return cls(int(after), int(upto))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            pass
        raise ValueError("not a cursor this service issued")


def event_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """One event as the API, the console and the exports show it."""
    return {
        "seq": row["seq"], "at": iso(row["at"]), "type": row["type"], "user_id": row["user_id"],
        "device_id": row["device_id"], "session_id": row["session_id"], "request_id": row["request_id"],
        "detail": json.loads(row["detail"]), "prev_hash": row["prev_hash"], "hash": row["hash"],
    }


def head_seq(conn: Connection) -> int:
    return conn.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar_one()


@dataclass(frozen=True)
class Page:
    events: list[dict[str, Any]]
    next_cursor: str | None


def page(conn: Connection, filters: Filters, limit: int, cursor: Cursor | None = None) -> Page:
    """Events in seq order after the cursor; `next_cursor` is None on the last page."""
    position = cursor or Cursor(0, head_seq(conn))
    rows = conn.execute(
        select(audit_events).where(*filters.clauses(), audit_events.c.seq > position.after,
                                   audit_events.c.seq <= position.upto)
        .order_by(audit_events.c.seq).limit(limit + 1)
    ).mappings().all()
    events = [event_dict(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(events, Cursor(events[-1]["seq"], position.upto).encode() if more else None)


def one(conn: Connection, seq: int) -> dict[str, Any] | None:
    if not 0 < seq <= MAX_SEQ:
        return None
    row = conn.execute(select(audit_events).where(audit_events.c.seq == seq)).mappings().first()
    return event_dict(row) if row else None


def stream(db: Database, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every matching event in seq order, fetched in batches (a server-side cursor on
    PostgreSQL), so an export of years of events holds one batch in memory."""
    with db.read() as conn:
        rows = conn.execution_options(yield_per=STREAM_BATCH).execute(
            select(audit_events).where(*filters.clauses()).order_by(audit_events.c.seq)
        ).mappings()
        for row in rows:
            yield event_dict(row)
