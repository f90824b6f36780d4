"""Streaming verification of the keyed chain, fast enough to walk years of events.

Rows come as plain tuples from the driver's own cursor (server-side on PostgreSQL: constant
memory), batch by batch. Per row Python does at most one f-string with C-level JSON quoting
(never a JSON round trip; PostgreSQL renders the whole message itself) and one HMAC; the
seq, link and hash comparisons are done for a whole batch at once. A batch that does not
pass is walked again row by row through the reference `audit.chain_hash`, which alone
decides that a row is bad, so the fast path can only ever be faster, never more lenient.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, select

from banking.audit.trail import chain_hash
from banking.platform.store.database import Database
from banking.platform.store.tables import audit_events, audit_head

BATCH = 1000  # measured: larger batches lose more to cache misses and GC than they save in calls
PRUNE_TYPE = "auditor.prune"

# SQLite hands Python the stored values; Python quotes them with the json module's own C
# quoting (cheaper than SQLite's json_quote, and exactly what `canonical` does) and splices
# them (cheaper than SQLite's string concatenation). PostgreSQL renders the whole message in C
# in its own process.
_SQLITE_SCAN = """
SELECT seq, at, type, user_id, device_id, session_id, request_id, detail, prev_hash, hash
FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq
"""


def _pg_quote(column: str) -> str:
    return f"coalesce(to_json({column})::text, 'null')"


_PG_SCAN = f"""
SELECT seq, prev_hash, hash, convert_to(prev_hash
  || '{{"at":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","detail":' || detail
  || ',"device_id":' || {_pg_quote('device_id')} || ',"request_id":' || {_pg_quote('request_id')}
  || ',"seq":' || seq || ',"session_id":' || {_pg_quote('session_id')}
  || ',"type":' || {_pg_quote('type')} || ',"user_id":' || {_pg_quote('user_id')} || '}}', 'UTF8')
FROM audit_events WHERE seq > %s AND seq <= %s ORDER BY seq
"""
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
        if self.first_bad_seq is None:  # nothing in the chain to name (a kept checkpoint's signature)
            return f"audit verify failed: {self.reason}"
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


# seqs, prev_hashes, hashes (tuples, so that slices compare), messages
Columns = tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...], Sequence[bytes]]
#: told the number of events in each batch checked, for a progress bar
Progress = Callable[[int], None]

#: json.dumps(value, ensure_ascii=False) of a str, in C
_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _sqlite_messages(batch: list[tuple[Any, ...]]) -> Columns:
    columns = tuple(zip(*batch))  # transposed in C
    try:
        messages = _messages(batch)
    except TypeError:  # a stored value append never writes (a number, a BLOB): see each row
        messages = [_message(row) for row in batch]
    return columns[0], columns[8], columns[9], messages


def _messages(batch: list[tuple[Any, ...]]) -> list[bytes]:
    # `at` is used only in exactly the stored form (26 characters, a space at 10), so that no
    # other value can shift where `detail` ends and the next field begins
    return [f'{p}{{"at":"{at[:10]}T{at[11:]}Z","detail":{det},'
            f'"device_id":{"null" if d is None else _quote(d)},"request_id":{"null" if rq is None else _quote(rq)},'
            f'"seq":{seq},"session_id":{"null" if s is None else _quote(s)},"type":{_quote(typ)},'
            f'"user_id":{"null" if u is None else _quote(u)}}}'.encode()
            if len(at) == 26 and at[10] == " " else b""
            for seq, at, typ, u, d, s, rq, det, p, _ in batch]


def _message(row: tuple[Any, ...]) -> bytes:
    """One row's message, or b"" (its batch is then walked by the reference) for a row
    whose values append never writes."""
    try:
        return _messages([row])[0]
    except TypeError:
        return b""


def _pg_messages(batch: list[tuple[Any, ...]]) -> Columns:
    return tuple(zip(*batch))  # type: ignore[return-value]


def _batches(conn: Connection, after: int, upto: int) -> Iterator[Columns]:
    """Each batch of rows as columns, each message `prev_hash + audit.canonical(row)` for every
    row stored the way `append` stores it."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name="couchbank_audit_verify")  # server-side: rows arrive in batches
        sql, columns = _PG_SCAN, _pg_messages
    else:
        cursor = raw.cursor()  # SQLite steps through rows lazily
        sql, columns = _SQLITE_SCAN, _sqlite_messages
    try:
        cursor.execute(sql, (after, upto))
        while batch := cursor.fetchmany(BATCH):
            yield columns(batch)
    finally:
        cursor.close()


def _reference_ok(conn: Connection, key: bytes, seq: int, prev: str) -> bool:
    try:
        row = conn.execute(select(audit_events).where(audit_events.c.seq == seq)).mappings().first()
        return row is not None and hmac.compare_digest(row["hash"], chain_hash(key, prev, row))
    except (ValueError, TypeError, KeyError, AttributeError):  # stored values append never writes
        return False


@dataclass
class _Walk:
    checked: int
    last_seq: int
    last_hash: str
    bad_seq: int | None = None
    reason: str | None = None

    def step(self, conn: Connection, key: bytes, seq: int, prev_hash: str, hash_: str) -> bool:
        """Check one row through the reference hash; False (and the reason) at a bad one."""
        expected = self.last_seq + 1
        if seq != expected:
            self.bad_seq, self.reason = expected, f"event {expected} is missing or out of order"
        elif prev_hash != self.last_hash:
            self.bad_seq, self.reason = seq, "prev_hash does not match the previous event"
        elif not _reference_ok(conn, key, seq, self.last_hash):
            self.bad_seq, self.reason = seq, "hash does not match the event's content"
        else:
            self.checked, self.last_seq, self.last_hash = self.checked + 1, seq, hash_
            return True
        return False


def _fast_walk(conn: Connection, key: bytes, done: _Walk, upto: int, progress: Progress | None = None) -> _Walk:
    mac = hmac_sha256(key)
    for seqs, prevs, hashes, messages in _batches(conn, done.last_seq, upto):
        # a whole batch is checked with C-level sequence comparisons; only a batch that fails is
        # walked row by row, through the reference hash, to name the first bad seq
        n = len(seqs)
        if (seqs[0] == done.last_seq + 1 and seqs[-1] == done.last_seq + n and prevs[0] == done.last_hash
                and prevs[1:] == hashes[:-1] and tuple(map(mac, messages)) == hashes):
            done.checked, done.last_seq, done.last_hash = done.checked + n, seqs[-1], hashes[-1]
            if progress is not None:
                progress(n)
            continue
        for seq, prev_hash, hash_ in zip(seqs, prevs, hashes):
            if not done.step(conn, key, seq, prev_hash, hash_):
                return done
    return done


def _reference_walk(conn: Connection, key: bytes, done: _Walk, upto: int) -> _Walk:
    rows = conn.execution_options(yield_per=BATCH).execute(
        select(audit_events.c.seq, audit_events.c.prev_hash, audit_events.c.hash)
        .where(audit_events.c.seq > done.last_seq, audit_events.c.seq <= upto).order_by(audit_events.c.seq))
    for seq, prev_hash, hash_ in rows:
        if not done.step(conn, key, seq, prev_hash, hash_):
            break
    return done


def walk(conn: Connection, key: bytes, anchor_seq: int, anchor_hash: str, upto: int = _NO_LIMIT,
         progress: Progress | None = None) -> _Walk:
    """Check the events after the anchor up to `upto`, in seq order; stop at the first bad one
    (a missing seq is named itself, not the row after the gap)."""
    done = _Walk(0, anchor_seq, anchor_hash)
    try:
        with conn.begin_nested():
            return _fast_walk(conn, key, done, upto, progress)
    except conn.dialect.loaded_dbapi.Error:
        # a stored value the database cannot render into a message: not what append writes;
        # go on from where the fast walk got to, one row at a time
        return _reference_walk(conn, key, done, upto)


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


def verify_in(conn: Connection, key: bytes, progress: Progress | None = None) -> VerifyResult:
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    done = walk(conn, key, head.anchor_seq, head.anchor_hash, progress=progress)
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
