"""The keyed hash chain: append, verify (the streaming verifier is `banking.audit.verify`).

Each event's `hash = HMAC(key, prev_hash || canonical bytes of the event)`. The key lives
apart from the database (derived from the master secret), so someone who can write to the
database but does not hold the key cannot recompute a chain after rewriting, deleting,
inserting or reordering events. Events are appended inside the caller's transaction, so an
event exists exactly when the change it describes does.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, Iterator, Mapping

from sqlalchemy import Connection, bindparam, select, update

from banking.core.formats import utc
from banking.platform.store.direct import Direct
from banking.platform.store.tables import audit_events, audit_head

GENESIS = "0" * 64

#: the columns that the hash covers, in the order they are rendered
CHAINED = ("seq", "at", "type", "user_id", "device_id", "session_id", "request_id", "detail")


def iso(value: dt.datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: the canonical JSON form, built once: `json.dumps` with options builds an encoder per call
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical(event: Mapping[str, Any]) -> bytes:
    body = {k: event[k] for k in CHAINED}
    body["at"] = iso(body["at"])
    if isinstance(body["detail"], str):
        body["detail"] = json.loads(body["detail"])
    return _ENCODE(body).encode()


def chain_hash(key: bytes, prev_hash: str, event: Mapping[str, Any]) -> str:
    return hmac.new(key, prev_hash.encode() + canonical(event), hashlib.sha256).hexdigest()


def appended_canonical(at_text: str, detail_json: str, seq: int, type_: str, actor: Actor) -> bytes:
    """`canonical` of an event being appended, from the detail's JSON already made for the
    row: the keys written in sorted order, so the detail is serialised once, not twice."""
    rest = _ENCODE({"device_id": actor.device_id, "request_id": actor.request_id, "seq": seq,
                    "session_id": actor.session_id, "type": type_, "user_id": actor.user_id})
    return f'{{"at":"{at_text}","detail":{detail_json},{rest[1:]}'.encode()


def dump_detail(detail: Mapping[str, Any]) -> str:
    return _ENCODE(detail)


@dataclass(frozen=True)
class Actor:
    """Who and where: the device, its user and the conversation, plus the request id that
    also appears in the structured logs."""

    user_id: str | None = None
    device_id: str | None = None
    session_id: str | None = None
    request_id: str | None = None


# on the driver's cursor: every turn appends (`banking.platform.store.direct`)
_HEAD = Direct(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update())
_INSERT = Direct(audit_events.insert(), column_keys=[c.key for c in audit_events.columns])
_MOVE_HEAD = Direct(update(audit_head).where(audit_head.c.id == 1)
                    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")))

Event = tuple[str, Mapping[str, Any], Actor]


class AuditTrail:
    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        # a callable defers loading the key until the trail is first used
        self._source = key

    @cached_property
    def _key(self) -> bytes:
        return self._source() if callable(self._source) else self._source

    def append(
        self,
        conn: Connection,
        type: str,
        detail: Mapping[str, Any],
        actor: Actor = Actor(),
        *,
        at: dt.datetime | None = None,
    ) -> int:
        """Append one event in `conn`'s transaction and return its seq."""
        return self.append_many(conn, [(type, detail, actor)], at=at)

    def append_many(self, conn: Connection, events: Iterable[Event], *, at: dt.datetime | None = None) -> int:
        """Append events in order in `conn`'s transaction and return the last seq. The head
        row is locked until commit, which gives one total order across processes; a turn's
        events go in with one head read, one multi-row insert and one head update."""
        head = _HEAD.one(conn, {})
        seq, prev = head.seq, head.hash
        # stored in UTC: SQLite keeps a datetime's wall time and drops its zone
        when = utc(at) if at else dt.datetime.now(dt.UTC)
        at_text = iso(when)
        rows = []
        for type_, detail, actor in events:
            seq += 1
            detail_json = dump_detail(detail)
            message = prev.encode() + appended_canonical(at_text, detail_json, seq, type_, actor)
            digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
            rows.append({"seq": seq, "at": when, "type": type_, "user_id": actor.user_id,
                         "device_id": actor.device_id, "session_id": actor.session_id,
                         "request_id": actor.request_id, "detail": detail_json, "prev_hash": prev,
                         "hash": digest})
            prev = digest
        if rows:
            _INSERT.executemany(conn, rows)
            _MOVE_HEAD.execute(conn, {"new_seq": seq, "new_hash": prev})
        return seq

    def check(self, rows: Iterable[Mapping[str, Any]], anchor_seq: int, anchor_hash: str) -> Iterator[tuple[int, bool]]:
        """Yield (seq, ok) for each row in seq order; a row is bad when its seq does not follow
        its predecessor, its prev_hash is not the predecessor's hash, or its hash is wrong."""
        expected_seq, prev = anchor_seq + 1, anchor_hash
        for row in rows:
            ok = (
                row["seq"] == expected_seq
                and hmac.compare_digest(row["prev_hash"], prev)
                and hmac.compare_digest(row["hash"], chain_hash(self._key, prev, row))
            )
            yield row["seq"], ok
            if not ok:
                return
            expected_seq, prev = row["seq"] + 1, row["hash"]
