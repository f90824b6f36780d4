"""Enrolment for held transfers (CONTRACT §8): `users set-hold`, and payees registered now by
`users add-payee`; the demo payees count as registered 30 days before the seed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from banking.core.formats import aware
from banking.platform.store.tables import payees, users


def test_set_hold_and_add_payee(app: Any, services: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-hold", "demo", "--minutes", "30"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["users", "set-hold", "demo", "--minutes", "-1"]).exit_code != 0
    assert runner.invoke(args=["users", "set-hold", "nobody", "--minutes", "5"]).exit_code != 0
    with services.db.read() as conn:
        assert conn.execute(select(users.c.hold_minutes).where(users.c.id == "demo")).scalar() == 30
    assert runner.invoke(args=["users", "set-hold", "demo", "--minutes", "0"]).exit_code == 0
    before = dt.datetime.now(dt.UTC)
    result = runner.invoke(args=["users", "add-payee", "demo", "--name", "이모", "--bank", "kbank",
                                 "--number", "100-555-000222", "--holder", "김영희"])
    assert result.exit_code == 0, result.output
    with services.db.read() as conn:
        dates = {r.name: aware(r.registered_at) for r in conn.execute(select(payees.c.name, payees.c.registered_at))}
        assert conn.execute(select(users.c.hold_minutes).where(users.c.id == "demo")).scalar() == 0
    assert dates["이모"] >= before - dt.timedelta(seconds=1)
    for demo in ("엄마", "아빠", "김철수"):
        assert before - dates[demo] > dt.timedelta(days=29)
