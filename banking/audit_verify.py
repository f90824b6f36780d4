"""Streaming verification of the keyed chain, fast enough to walk years of events.

Rows come as plain tuples from the driver's own cursor (server-side on PostgreSQL: constant
memory), batch by batch. Per row Python does only what cannot be avoided: one f-string that
renders the canonical bytes without a JSON round trip, and one HMAC; the seq, link and hash
comparisons are done for a whole batch at once. A batch that does not pass is walked again
row by row through the reference `audit.chain_hash`, which alone decides that a row is bad,
so the fast path can only ever be faster, never more lenient.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from json.encoder import encode_basestring as enc  # json.dumps' own string escaping, in C
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, select

from banking.audit import chain_hash
from banking.store.database import Database
from banking.store.tables import audit_events, audit_head

BATCH = 5000
PRUNE_TYPE = "auditor.prune"

# Plain columns, `at` as text in SQLite's stored form on both databases (PostgreSQL renders it
# in C, which is cheaper than building datetimes in the driver).
_COLUMNS = "seq, {at}, type, user_id, device_id, session_id, request_id, detail, prev_hash, hash"
_SQLITE_SCAN = f"SELECT {_COLUMNS.format(at='at')} FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq"
_PG_AT = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
_PG_SCAN = f"SELECT {_COLUMNS.format(at=_PG_AT)} FROM audit_events WHERE seq > %s AND seq <= %s ORDER BY seq"
_NO_LIMIT = 2**62


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_seq": self.first_bad_seq}

    def summary(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} events checked, head seq {self.head_seq}"
        return f"audit chain broken at seq {self.first_bad_seq}: {self.reason} ({self.checked} events checked before it)"


def hmac_sha256(key: bytes) -> Callable[[bytes], str]:
    """RFC 2104 HMAC-SHA256 with both pads hashed once: copying two prepared hashlib states
    costs less per message than `hmac.HMAC.copy()`."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block)).copy

    def mac(message: bytes) -> str:
        i = inner()
        i.update(message)
        o = outer()
        o.update(i.digest())
        return o.hexdigest()

    return mac


@contextlib.contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """A read transaction that sees one moment: the head row and the events agree even while
    others append (SQLite's WAL readers already work that way)."""
    with db.engine.connect() as conn:
        options: dict[str, Any] = {"couchbank_read_only": True}
        if not db.is_sqlite:
            options["isolation_level"] = "REPEATABLE READ"
        conn = conn.execution_options(**options)
        with conn.begin():
            yield conn


def _batches(conn: Connection, after: int, upto: int) -> Iterator[list[tuple[Any, ...]]]:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name="couchbank_audit_verify")  # server-side: rows arrive in batches
        sql = _PG_SCAN
    else:
        cursor = raw.cursor()  # SQLite steps through rows lazily
        sql = _SQLITE_SCAN
    try:
        cursor.execute(sql, (after, upto))
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        cursor.close()


def _reference_ok(conn: Connection, key: bytes, seq: int, prev: str) -> bool:
    row = conn.execute(select(audit_events).where(audit_events.c.seq == seq)).mappings().first()
    try:
        return row is not None and hmac.compare_digest(row["hash"], chain_hash(key, prev, row))
    except (ValueError, TypeError, KeyError, AttributeError):  # unparseable stored values
        return False


@dataclass(frozen=True)
class _Walk:
    checked: int
    last_seq: int
    last_hash: str
    bad_seq: int | None = None
    reason: str | None = None


def _messages(batch: list[tuple[Any, ...]]) -> list[bytes]:
    """The hashed bytes of each row, equal to `prev_hash + audit.canonical(row)` for every row
    stored the way `append` stores it. `at` is used only in exactly that form (26 characters,
    a space at 10), so a spliced `detail` cannot line up with another row's fields."""
    return [
        f'{p}{{"at":"{at[:10]}T{at[11:]}Z","detail":{det},'
        f'"device_id":{"null" if d is None else enc(d)},"request_id":{"null" if rq is None else enc(rq)},'
        f'"seq":{seq},"session_id":{"null" if s is None else enc(s)},"type":{enc(typ)},'
        f'"user_id":{"null" if u is None else enc(u)}}}'.encode()
        if len(at) == 26 and at[10] == " " else b""
        for seq, at, typ, u, d, s, rq, det, p, _ in batch
    ]


def walk(conn: Connection, key: bytes, anchor_seq: int, anchor_hash: str, upto: int = _NO_LIMIT) -> _Walk:
    """Check the events after the anchor up to `upto`, in seq order; stop at the first bad one
    (a missing seq is named itself, not the row after the gap)."""
    mac = hmac_sha256(key)
    expected, prev, checked = anchor_seq + 1, anchor_hash, 0
    for batch in _batches(conn, anchor_seq, upto):
        # a whole batch is checked with C-level tuple comparisons; only a batch that fails
        # is walked row by row, through the reference hash, to name the first bad seq
        n = len(batch)
        seqs, prevs, hashes = [row[0] for row in batch], [row[8] for row in batch], [row[9] for row in batch]
        try:
            macs = list(map(mac, _messages(batch)))
        except (TypeError, AttributeError):  # a value of the wrong type: not what append stores
            macs = []
        if (seqs[0] == expected and seqs[-1] == expected + n - 1 and prevs[0] == prev
                and prevs[1:] == hashes[:-1] and macs == hashes):
            prev, expected, checked = hashes[-1], expected + n, checked + n
            continue
        for seq, prev_hash, hash_ in zip(seqs, prevs, hashes):
            if seq != expected:
                return _Walk(checked, expected - 1, prev, expected, f"event {expected} is missing or out of order")
            if prev_hash != prev:
                return _Walk(checked, expected - 1, prev, seq, "prev_hash does not match the previous event")
            if not _reference_ok(conn, key, seq, prev):
                return _Walk(checked, expected - 1, prev, seq, "hash does not match the event's content")
            prev, expected, checked = hash_, expected + 1, checked + 1
    return _Walk(checked, expected - 1, prev)


def _anchor_vouched(conn: Connection, anchor_seq: int, anchor_hash: str) -> bool:
    """A pruned chain starts at an anchor that the newest (chained) prune event names;
    an anchor moved by hand has none."""
    if anchor_seq == 0:
        return True
    detail = conn.execute(
        select(audit_events.c.detail).where(audit_events.c.type == PRUNE_TYPE)
        .order_by(audit_events.c.seq.desc()).limit(1)
    ).scalar()
    if detail is None:
        return False
    named = json.loads(detail)
    return named.get("anchor_seq") == anchor_seq and named.get("anchor_hash") == anchor_hash


def verify_in(conn: Connection, key: bytes) -> VerifyResult:
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    done = walk(conn, key, head.anchor_seq, head.anchor_hash)
    result = dict(checked=done.checked, head_seq=head.seq, head_hash=head.hash)
    if done.bad_seq is not None:
        return VerifyResult(False, first_bad_seq=done.bad_seq, reason=done.reason, **result)
    if done.last_seq < head.seq:
        return VerifyResult(False, first_bad_seq=done.last_seq + 1,
                            reason=f"events {done.last_seq + 1}..{head.seq} are missing", **result)
    if done.last_seq > head.seq:
        return VerifyResult(False, first_bad_seq=head.seq + 1,
                            reason="events exist past the recorded head", **result)
    if done.last_hash != head.hash:
        return VerifyResult(False, first_bad_seq=head.seq,
                            reason="the head row does not match the last event", **result)
    if not _anchor_vouched(conn, head.anchor_seq, head.anchor_hash):
        return VerifyResult(False, first_bad_seq=head.anchor_seq + 1,
                            reason="the retention anchor was not set by a recorded prune", **result)
    return VerifyResult(True, first_bad_seq=None, **result)


def verify(db: Database, key: bytes) -> VerifyResult:
    with snapshot(db) as conn:
        return verify_in(conn, key)
