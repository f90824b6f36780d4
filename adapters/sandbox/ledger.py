"""Accounts and postings. Every function that moves money takes the open transaction's
connection, so the caller decides what commits together."""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from adapters.sandbox.banks import Bank
from adapters.sandbox.db import Database

KST = dt.timezone(dt.timedelta(hours=9), "KST")


def now_kst() -> dt.datetime:
    return dt.datetime.now(KST)


@dataclass(frozen=True)
class AccountRow:
    number: str
    holder: str
    holder_name: str
    product: str
    balance: int
    status: str

    @property
    def open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Posting:
    posting_id: int
    account: str
    amount: int
    counterparty: str
    reference: str | None
    balance_after: int
    at: dt.datetime


def seed(db: Database, bank: Bank) -> None:
    """The demo customers, once, on an empty database."""
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone():
            return
        conn.executemany(
            "INSERT INTO accounts (number, holder, holder_name, product, balance) VALUES (?, ?, ?, ?, ?)",
            [(c.number, c.holder, c.holder_name, c.product, c.balance) for c in bank.customers],
        )


def _account(row: sqlite3.Row | None) -> AccountRow | None:
    return AccountRow(**dict(row)) if row else None


def get_account(conn: sqlite3.Connection, number: str) -> AccountRow | None:
    return _account(conn.execute("SELECT * FROM accounts WHERE number = ?", (number,)).fetchone())


def accounts_of(db: Database, holder: str) -> list[AccountRow]:
    rows = db.query("SELECT * FROM accounts WHERE holder = ? AND status = 'open' ORDER BY number", (holder,))
    return [AccountRow(**dict(r)) for r in rows]


def post(conn: sqlite3.Connection, account: str, amount: int, counterparty: str, reference: str | None) -> Posting:
    """One debit (negative) or credit. The CHECK on balances refuses an overdraft even if a
    caller forgot to look first."""
    conn.execute("UPDATE accounts SET balance = balance + ? WHERE number = ?", (amount, account))
    (balance,) = conn.execute("SELECT balance FROM accounts WHERE number = ?", (account,)).fetchone()
    at = now_kst()
    cur = conn.execute(
        "INSERT INTO postings (account, amount, counterparty, reference, balance_after, at) VALUES (?, ?, ?, ?, ?, ?)",
        (account, amount, counterparty, reference, balance, at.isoformat(timespec="milliseconds")),
    )
    return Posting(cur.lastrowid, account, amount, counterparty, reference, balance, at)


def _posting(row: sqlite3.Row) -> Posting:
    d = dict(row)
    d["at"] = dt.datetime.fromisoformat(d["at"])
    return Posting(**d)


def all_postings(db: Database) -> list[Posting]:
    return [_posting(r) for r in db.query("SELECT * FROM postings ORDER BY posting_id")]


def postings_page(db: Database, account: str, *, before_id: int | None, size: int) -> tuple[list[Posting], bool]:
    """Newest first, keyset-paged by posting id so that new postings never shift a page.
    Returns the page and whether older postings remain."""
    rows = db.query(
        "SELECT * FROM postings WHERE account = ? AND posting_id < ? ORDER BY posting_id DESC LIMIT ?",
        (account, before_id if before_id is not None else 2**62, size + 1),
    )
    return [_posting(r) for r in rows[:size]], len(rows) > size
