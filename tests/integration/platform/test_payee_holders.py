"""Revision 0005 (CONTRACT §10): payees gain their account holder's name, sealed like the
account numbers; the demo payees of a database made before it get the holders the contract
names, found by their user, name, bank and last four digits; others keep none."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from banking.platform.security import account_numbers, holder_names
from banking.platform.security.keys import Keyring
from banking.platform.store import Database
from banking.platform.store.migrations import runner
from banking.platform.store.tables import payees

KEYS = Keyring(b"h" * 32)
PAYEES = [("demo", "엄마", "woori", "1002-987-654321"), ("demo", "아빠", "kbank", "100-555-000111"),
          ("demo", "김철수", "woori", "1002-111-222333"), ("demo", "누나", "woori", "1002-222-333444"),
          ("kim", "엄마", "woori", "1002-987-654321")]


def _populate_0004(db: Database) -> None:
    now = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    with db.engine.connect() as conn:
        runner.upgrade(conn, "0004", keys=KEYS)
        conn.commit()
    with db.begin() as conn:
        for user in ("demo", "kim"):
            conn.execute(text("INSERT INTO users (id, display_name, created_at) VALUES (:id, '김하나', :now)"),
                         {"id": user, "now": now})
        for user, name, bank, number in PAYEES:
            sealed = account_numbers.payee_values(KEYS, user, name, number)
            conn.execute(text("INSERT INTO payees (user_id, name, bank, number_enc, last4) "
                              "VALUES (:user, :name, :bank, :enc, :four)"),
                         {"user": user, "name": name, "bank": bank, "enc": sealed["number_enc"],
                          "four": sealed["last4"]})


def test_upgrading_gives_the_demo_payees_their_holders_sealed(database_url: str) -> None:
    db = Database(database_url)
    try:
        _populate_0004(db)
        db.migrate(KEYS)
        with db.read() as conn:
            rows = conn.execute(select(payees).order_by(payees.c.id)).all()
        holders = [None if r.holder_enc is None else holder_names.unseal(KEYS, r.user_id, r.name, r.holder_enc)
                   for r in rows]
        assert holders == ["박미영", "김영수", "김철수", None, None]
        for row in rows:
            assert row.holder_enc is None or "박미영".encode() not in row.holder_enc
    finally:
        db.dispose()

