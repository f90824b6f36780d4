"""Account numbers at rest (issue 14, "At rest"): encrypted beside their last four digits,
converted in place by revision 0004 on both engines, and nowhere in clear in the database's
tables or, on SQLite, its files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from cryptography.exceptions import InvalidTag
from sqlalchemy import inspect, select, text

from banking.auth import enrolment
from banking.platform.security import account_numbers
from banking.platform.security.keys import Keyring
from banking.platform.store import Database
from banking.platform.store.migrations import runner
from banking.platform.store.tables import accounts, payees, transfers

KEYS = Keyring(b"m" * 32)
NUMBERS = {"kbank": "100-123-456789", "woori": "1002-345-678901", "mom": "1002-987-654321",
           "dad": "100-555-000111"}


def _variants(number: str) -> list[bytes]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return [number.encode(), digits.encode(), number.encode("utf-16-le"), digits.encode("utf-16-le")]


def _populate_0003(db: Database) -> None:
    """A database as revision 0003 left it, with numbers in clear (raw SQL: the tables
    module describes the newest schema)."""
    now = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    with db.engine.connect() as conn:
        runner.upgrade(conn, "0003")
        conn.commit()
    with db.begin() as conn:
        conn.execute(text("INSERT INTO users (id, display_name, created_at) VALUES ('demo', '김하나', :now)"),
                     {"now": now})
        conn.execute(text("INSERT INTO accounts (user_id, bank, number, name, is_primary) VALUES "
                          "('demo', 'kbank', :k, 'K', true), ('demo', 'woori', :w, 'W', false)"),
                     {"k": NUMBERS["kbank"], "w": NUMBERS["woori"]})
        conn.execute(text("INSERT INTO payees (user_id, name, bank, number) VALUES "
                          "('demo', '엄마', 'woori', :m), ('demo', '아빠', 'kbank', :d)"),
                     {"m": NUMBERS["mom"], "d": NUMBERS["dad"]})
        for n in range(3):
            conn.execute(text(
                "INSERT INTO transfers (id, user_id, from_bank, from_account, payee, to_bank, to_account, "
                "amount, status, idempotency_key, day, created_at, updated_at) VALUES (:id, 'demo', 'kbank', "
                ":f, '아빠', 'kbank', :t, 1000, 'completed', :key, '2026-03-02', :now, :now)"),
                {"id": f"tr_{n}", "f": NUMBERS["kbank"], "t": NUMBERS["dad"], "key": f"key{n}", "now": now})


def _every_value(db: Database) -> str:
    with db.read() as conn:
        names = inspect(conn).get_table_names()
        return repr([conn.execute(text(f"SELECT * FROM {name}")).all() for name in names])


def _sqlite_files(url: str) -> list[Path]:
    path = Path(url.split("///", 1)[1])
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name)]


def test_upgrading_a_populated_0003_database_encrypts_every_account_number(database_url: str) -> None:
    db = Database(database_url)
    try:
        _populate_0003(db)
        db.migrate(KEYS)
        with db.read() as conn:
            account_rows = conn.execute(select(accounts).order_by(accounts.c.id)).all()
            payee_rows = conn.execute(select(payees).order_by(payees.c.id)).all()
            transfer_rows = conn.execute(select(transfers).order_by(transfers.c.id)).all()
        assert [(a.last4, account_numbers.account_number(KEYS, a)) for a in account_rows] == [
            ("6789", NUMBERS["kbank"]), ("8901", NUMBERS["woori"])]
        assert [(p.last4, account_numbers.payee_number(KEYS, "demo", p)) for p in payee_rows] == [
            ("4321", NUMBERS["mom"]), ("0111", NUMBERS["dad"])]
        assert [(t.from_last4, t.to_last4) for t in transfer_rows] == [("6789", "0111")] * 3
        assert {(account_numbers.transfer_number(KEYS, t, "from_account"),
                 account_numbers.transfer_number(KEYS, t, "to_account")) for t in transfer_rows} == {
            (NUMBERS["kbank"], NUMBERS["dad"])}
        # in no table, in any form
        values = _every_value(db)
        for number in NUMBERS.values():
            assert number not in values and number.replace("-", "") not in values
        if db.is_sqlite:
            # and in none of SQLite's files: with the service's connections still open (the
            # write-ahead log keeps the old pages until it is truncated), and once closed
            for state in ("open", "closed"):
                files = _sqlite_files(database_url)
                assert (state == "open") == any(p.name.endswith("-wal") for p in files)
                for path in files:
                    data = path.read_bytes()
                    for number in NUMBERS.values():
                        assert not any(v in data for v in _variants(number)), (path.name, number)
                db.dispose()
    finally:
        db.dispose()


def test_a_ciphertext_opens_only_in_its_own_row(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate(KEYS)
        with db.begin() as conn:
            enrolment.create_user(conn, "demo", "김하나")
            enrolment.link_account(conn, KEYS, "demo", "kbank", NUMBERS["kbank"], "K", primary=True)
            enrolment.add_payee(conn, KEYS, "demo", "엄마", "woori", NUMBERS["mom"])
            enrolment.add_payee(conn, KEYS, "demo", "아빠", "kbank", NUMBERS["dad"])
        with db.read() as conn:
            mom, dad = conn.execute(select(payees).order_by(payees.c.id)).all()
        assert account_numbers.payee_number(KEYS, "demo", dad) == NUMBERS["dad"]
        with pytest.raises(InvalidTag):  # another row's ciphertext
            account_numbers.payee_number(KEYS, "demo", SimpleNamespace(**{**dad._asdict(), "number_enc": mom.number_enc}))
        with pytest.raises(InvalidTag):  # a last4 edited in place
            account_numbers.payee_number(KEYS, "demo", SimpleNamespace(**{**dad._asdict(), "last4": "4321"}))
        with db.begin() as conn, pytest.raises(enrolment.EnrolmentError):
            # the same account again, however written
            enrolment.link_account(conn, KEYS, "demo", "kbank", NUMBERS["kbank"].replace("-", ""), "again")
    finally:
        db.dispose()


def test_converting_needs_the_keys_and_a_refused_upgrade_changes_nothing(database_url: str) -> None:
    db = Database(database_url)
    try:
        _populate_0003(db)
        with pytest.raises(RuntimeError, match="keyring"):
            db.migrate()
        with db.read() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
            assert conn.execute(text("SELECT number FROM accounts ORDER BY id")).scalars().all() == [
                NUMBERS["kbank"], NUMBERS["woori"]]
        db.migrate(KEYS)
        with db.read() as conn:
            assert conn.execute(select(accounts.c.last4).order_by(accounts.c.id)).scalars().all() == ["6789", "8901"]
    finally:
        db.dispose()


def test_downgrading_to_0003_gives_the_numbers_back(database_url: str) -> None:
    db = Database(database_url)
    try:
        _populate_0003(db)
        db.migrate(KEYS)
        with db.engine.connect() as conn:
            command.downgrade(runner.config(conn, KEYS), "0003")
        with db.read() as conn:
            assert conn.execute(text("SELECT number FROM payees ORDER BY id")).scalars().all() == [
                NUMBERS["mom"], NUMBERS["dad"]]
            assert set(conn.execute(text("SELECT from_account, to_account FROM transfers")).all()) == {
                (NUMBERS["kbank"], NUMBERS["dad"])}
    finally:
        db.dispose()
