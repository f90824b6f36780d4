"""Transfers, whatever the dialect: dedup on the client's key, validation, posting.

A transfer is recorded under the client's key in the same transaction that posts it, so
a key seen twice never posts twice, and a refused transfer is remembered as refused
(status inquiry answers "failed", not "not found": the bank did receive it).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Iterator

from adapters.sandbox import ledger
from adapters.sandbox.interbank import PeerUnavailable
from adapters.sandbox.state import Sandbox

SOURCE_UNAVAILABLE = "source_unavailable"
PAYEE_UNAVAILABLE = "payee_unavailable"
PAYEE_BANK_UNAVAILABLE = "payee_bank_unavailable"
INSUFFICIENT_FUNDS = "insufficient_funds"
#: the request reached the bank after the instant the client said it must not run after
EXPIRED = "expired"


def expiry(text: str | None) -> dt.datetime | None:
    """A request's `not after` instant, written as both dialects write times (KST,
    yyyyMMddHHmmss); None when the client set none. ValueError when it is malformed."""
    if not text:
        return None
    if len(text) != 14 or not text.isdigit():
        raise ValueError("expected yyyyMMddHHmmss")
    return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=ledger.KST)


@dataclass(frozen=True)
class Order:
    key: str
    body_hash: str  # what the client asked, to tell a replay from a reused key
    from_account: str
    to_bank: str
    to_account: str
    to_name: str
    amount: int
    memo: str
    not_after: dt.datetime | None = None


@dataclass(frozen=True)
class Record:
    key: str
    body_hash: str
    bank_ref: str
    from_account: str
    to_bank: str
    to_account: str
    payee_name: str
    amount: int
    memo: str
    state: str  # completed | processing | failed
    first_state: str  # what the first answer said, for replays
    reason: str | None
    received_at: dt.datetime
    due_at: float | None


def _record(row: sqlite3.Row | None) -> Record | None:
    if row is None:
        return None
    d = dict(row)
    d["received_at"] = dt.datetime.fromisoformat(d["received_at"])
    return Record(**d)


_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


@contextlib.contextmanager
def receiving(key: str | None) -> Iterator[None]:
    """Mark a transfer request as received while the bank is still at work on it (a
    `latency` fault): CONTRACT §5 wants its status to be "processing", not "not found"."""
    if not key:
        yield
        return
    with _in_flight_lock:
        _in_flight.add(key)
    try:
        yield
    finally:
        with _in_flight_lock:
            _in_flight.discard(key)


def in_flight(key: str) -> bool:
    with _in_flight_lock:
        return key in _in_flight


def find(sandbox: Sandbox, key: str) -> Record | None:
    return _record(sandbox.db.query_one("SELECT * FROM transfers WHERE key = ?", (key,)))


def _payee_name_at_peer(sandbox: Sandbox, order: Order) -> str | None | PeerUnavailable:
    peer = sandbox.peers.get(order.to_bank)
    if peer is None:
        return PeerUnavailable("no interbank link to that bank configured")
    try:
        return peer.lookup(order.to_account)
    except PeerUnavailable as exc:
        return exc


def submit(sandbox: Sandbox, order: Order, *, processing_delay_ms: int | None = None) -> tuple[Record, bool]:
    """Execute `order` once. Returns its record and whether this call created it."""
    existing = find(sandbox, order.key)
    if existing:
        return existing, False
    remote = order.to_bank != sandbox.bank.id
    # The payee's bank is asked before the transaction opens: no lock held over the network.
    peer_answer = _payee_name_at_peer(sandbox, order) if remote else None
    with sandbox.db.transaction() as conn:
        existing = _record(conn.execute("SELECT * FROM transfers WHERE key = ?", (order.key,)).fetchone())
        if existing:
            return existing, False
        source = ledger.get_account(conn, order.from_account)
        payee_name, reason = order.to_name, None
        if remote:
            if isinstance(peer_answer, PeerUnavailable):
                reason = PAYEE_BANK_UNAVAILABLE
            elif peer_answer is None:
                reason = PAYEE_UNAVAILABLE
            else:
                payee_name = peer_answer
        else:
            payee = ledger.get_account(conn, order.to_account)
            if payee is None or not payee.open or order.to_account == order.from_account:
                reason = PAYEE_UNAVAILABLE
            else:
                payee_name = payee.holder_name
        if source is None or not source.open:
            reason = SOURCE_UNAVAILABLE
        elif reason is None and source.balance < order.amount:
            reason = INSUFFICIENT_FUNDS
        if order.not_after is not None and ledger.now_kst() > order.not_after:
            reason = EXPIRED  # received, so remembered as refused: never "not found", never posted
        if reason:
            state, due_at = "failed", None
        elif processing_delay_ms is not None:
            state, due_at = "processing", time.time() + processing_delay_ms / 1000
        else:
            state, due_at = "completed", None
        record = Record(
            key=order.key, body_hash=order.body_hash,
            bank_ref=sandbox.bank.code + ledger.now_kst().strftime("%Y%m%d") + secrets.token_hex(4).upper(),
            from_account=order.from_account, to_bank=order.to_bank, to_account=order.to_account,
            payee_name=payee_name, amount=order.amount, memo=order.memo, state=state, first_state=state,
            reason=reason, received_at=ledger.now_kst(), due_at=due_at,
        )
        conn.execute(
            "INSERT INTO transfers VALUES (:key, :body_hash, :bank_ref, :from_account, :to_bank, :to_account,"
            " :payee_name, :amount, :memo, :state, :first_state, :reason, :received_at, :due_at)",
            {**record.__dict__, "received_at": record.received_at.isoformat(timespec="milliseconds")},
        )
        if state == "completed":
            _post(conn, sandbox, record, source.holder_name)
    return record, True


def _post(conn: sqlite3.Connection, sandbox: Sandbox, record: Record, sender_name: str) -> None:
    ledger.post(conn, record.from_account, -record.amount, record.payee_name, record.key)
    if record.to_bank == sandbox.bank.id:
        ledger.post(conn, record.to_account, record.amount, sender_name, record.key)
        return
    conn.execute(
        "INSERT INTO outbox (interbank_id, reference, from_account, from_name, to_account, amount)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (f"{sandbox.bank.id}:{record.key}", record.key, record.from_account, sender_name,
         record.to_account, record.amount),
    )


def settle_due(sandbox: Sandbox) -> None:
    """Finish the `processing` transfers whose time has come; the funds are checked again
    because the balance may have moved since they were accepted."""
    if not sandbox.db.query_one("SELECT 1 FROM transfers WHERE state = 'processing' AND due_at <= ?", (time.time(),)):
        return
    with sandbox.db.transaction() as conn:
        rows = conn.execute("SELECT * FROM transfers WHERE state = 'processing' AND due_at <= ?", (time.time(),))
        for record in [_record(r) for r in rows.fetchall()]:
            source = ledger.get_account(conn, record.from_account)
            if source is None or not source.open or source.balance < record.amount:
                reason = SOURCE_UNAVAILABLE if source is None or not source.open else INSUFFICIENT_FUNDS
                conn.execute("UPDATE transfers SET state = 'failed', reason = ? WHERE key = ?", (reason, record.key))
                continue
            _post(conn, sandbox, record, source.holder_name)
            conn.execute("UPDATE transfers SET state = 'completed' WHERE key = ?", (record.key,))
