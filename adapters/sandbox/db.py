"""The sandbox's SQLite file: one connection per thread, WAL, and write transactions
that take the write lock up front (`BEGIN IMMEDIATE`) so that a check-then-post never
races another thread or process."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    number TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    product TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    status TEXT NOT NULL DEFAULT 'open'
);
CREATE TABLE IF NOT EXISTS postings (
    posting_id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL REFERENCES accounts(number),
    amount INTEGER NOT NULL,
    counterparty TEXT NOT NULL,
    reference TEXT,
    balance_after INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS postings_by_account ON postings(account, posting_id);
CREATE TABLE IF NOT EXISTS transfers (
    key TEXT PRIMARY KEY,
    body_hash TEXT NOT NULL,
    bank_ref TEXT NOT NULL,
    from_account TEXT NOT NULL,
    to_bank TEXT NOT NULL,
    to_account TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    amount INTEGER NOT NULL,
    memo TEXT NOT NULL,
    state TEXT NOT NULL,
    first_state TEXT NOT NULL,
    reason TEXT,
    received_at TEXT NOT NULL,
    due_at REAL
);
CREATE TABLE IF NOT EXISTS outbox (
    interbank_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    from_account TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_account TEXT NOT NULL,
    amount INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS inbound (
    interbank_id TEXT PRIMARY KEY,
    posting_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    mode TEXT NOT NULL,
    remaining INTEGER NOT NULL,
    delay_ms INTEGER NOT NULL
);
"""


class Database:
    def __init__(self, path: Path, extra_schema: str = "") -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        conn = self.connection()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA + extra_schema)

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # autocommit mode: transactions are opened explicitly below
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.connection().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.connection().execute(sql, params).fetchone()
