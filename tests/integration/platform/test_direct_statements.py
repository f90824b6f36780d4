"""`Direct` statements (`banking.platform.store.direct`) against SQLAlchemy's own execution of the
same Core statements, on each engine: the same SQL, the same values written and read back
through the column types, the same exceptions, and nothing secret in them."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import bindparam, exc, insert, select, text

from banking.auth import device_auth, enrolment
from banking.core.formats import aware
from banking.platform.security.keys import Keyring
from banking.platform.store import Database, insert_ignore
from banking.platform.store.direct import Direct
from banking.platform.store.tables import audit_head, nonces, sessions, users
from banking.voice import repository

KEYS = Keyring(b"k" * 32)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


def _seed(db: Database) -> None:
    with db.begin() as conn:
        enrolment.create_user(conn, "u1", "김하나")
        enrolment.link_account(conn, KEYS, "u1", "kbank", "100-123-456789", "입출금", primary=True)
        enrolment.link_account(conn, KEYS, "u1", "woori", "1002-345-678901", "WON", primary=False)
        conn.execute(insert(sessions).values(
            id="s1", user_id="u1", device_id="d1", state='{"locale": "ko-KR"}', version=3,
            created_at=dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
            updated_at=dt.datetime(2026, 1, 2, 3, 4, 5, 0, tzinfo=dt.UTC), verified_until=None))


def _same(direct_rows: list[Any], core_rows: list[Any]) -> None:
    assert [tuple(r) for r in direct_rows] == [tuple(r) for r in core_rows]
    for d, c in zip(direct_rows, core_rows):
        assert d._fields == tuple(c._fields)


def test_turn_reads_match_core(db: Database) -> None:
    _seed(db)
    with db.read() as conn:
        for statement, values in ((repository._SESSION, {"id": "s1", "user_id": "u1", "device_id": "d1"}),
                                  (repository._USER, {"user_id": "u1"}),
                                  (repository._ACCOUNTS, {"user_id": "u1"}),
                                  (repository._SESSION, {"id": "nope", "user_id": "u1", "device_id": "d1"})):
            _same(statement.all(conn, values), conn.execute(statement.stmt, values).all())
        accounts_read = repository._ACCOUNTS.all(conn, {"user_id": "u1"})
        assert [a.is_primary for a in accounts_read] == [True, False]  # booleans, in ORDER BY order
        assert repository._SESSION.first(conn, {"id": "s1", "user_id": "u1", "device_id": "d2"}) is None
        with pytest.raises(exc.NoResultFound):
            repository._USER.one(conn, {"user_id": "nobody"})


def test_gate_matches_core_with_its_own_limit_parameter(db: Database) -> None:
    _seed(db)
    now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with db.begin() as conn:
        for i in range(5):
            insert_ignore(conn, nonces, {"device_id": "d1", "nonce": f"n{i:016d}", "seen_at": now})
    gate = device_auth._gate(3)  # counts stop at limit + 1: a LIMIT carried by the statement
    with db.read() as conn:
        for values in ({"device_id": "d1", "nonce": "n0000000000000002", "since": now - dt.timedelta(seconds=1)},
                       {"device_id": "d1", "nonce": "fresh", "since": now + dt.timedelta(seconds=1)}):
            _same(gate.all(conn, values), conn.execute(gate.stmt, values).all())
        row = gate.one(conn, {"device_id": "d1", "nonce": "n0000000000000002", "since": now - dt.timedelta(seconds=1)})
        assert (row.used, row.recent) == (True, 4)


_moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                        timezones=st.just(dt.UTC))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.text(max_size=200).filter(lambda s: "\x00" not in s), version=st.integers(0, 2**31 - 2),
       updated=_moments, verified=st.none() | _moments)
def test_session_update_round_trips_through_the_column_types(db: Database, state: str, version: int,
                                                             updated: dt.datetime, verified: dt.datetime | None) -> None:
    with db.begin() as conn:
        conn.execute(sessions.delete())
        if conn.execute(select(users.c.id).where(users.c.id == "u1")).first() is None:
            enrolment.create_user(conn, "u1", "김하나")
        conn.execute(insert(sessions).values(id="s1", user_id="u1", device_id="d1", state="{}", version=version,
                                             created_at=updated, updated_at=updated, verified_until=None))
    with db.begin() as conn:
        changed = repository._UPDATE_SESSION.execute(conn, {
            "session_id": "s1", "seen_version": version, "new_version": version + 1, "state": state,
            "updated_at": updated, "verified_until": verified})
        stale = repository._UPDATE_SESSION.execute(conn, {
            "session_id": "s1", "seen_version": version, "new_version": version + 1, "state": state,
            "updated_at": updated, "verified_until": verified})
    assert (changed, stale) == (1, 0)
    with db.read() as conn:
        core = conn.execute(repository._SESSION.stmt, {"id": "s1", "user_id": "u1", "device_id": "d1"}).one()
        direct = repository._SESSION.one(conn, {"id": "s1", "user_id": "u1", "device_id": "d1"})
    assert tuple(direct) == tuple(core)
    assert (core.state, core.version) == (state, version + 1)
    # SQLite hands back naive UTC, PostgreSQL aware: the same instant either way
    assert aware(core.updated_at) == updated
    assert (aware(core.verified_until) if core.verified_until is not None else None) == verified


def test_insert_ignore_and_executemany(db: Database) -> None:
    at = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with db.begin() as conn:
        assert insert_ignore(conn, nonces, {"device_id": "d1", "nonce": "a" * 16, "seen_at": at})
        assert not insert_ignore(conn, nonces, {"device_id": "d1", "nonce": "a" * 16, "seen_at": at})
        many = Direct(insert(nonces), column_keys=["device_id", "nonce", "seen_at"])
        many.executemany(conn, [{"device_id": "d2", "nonce": f"b{i:015d}", "seen_at": at} for i in range(3)])
    with db.read() as conn:
        assert conn.execute(select(nonces.c.nonce).order_by(nonces.c.nonce)).scalars().all() == [
            "a" * 16, *(f"b{i:015d}" for i in range(3))]


def test_driver_errors_are_sqlalchemys_without_the_values(db: Database) -> None:
    plain = Direct(insert(nonces), column_keys=["device_id", "nonce", "seen_at"])
    secret = "SECRET-nonce-0123456789"
    at = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with db.begin() as conn:
        plain.execute(conn, {"device_id": "d1", "nonce": secret, "seen_at": at})
    with pytest.raises(exc.IntegrityError) as raised, db.begin() as conn:
        plain.execute(conn, {"device_id": "d1", "nonce": secret, "seen_at": at})
    assert "parameters" not in str(raised.value)  # SQLAlchemy adds none
    if db.is_sqlite:  # PostgreSQL's own message may echo a key (never logged: `errors.unexpected`)
        assert secret not in str(raised.value) and secret not in repr(raised.value)
    with db.read() as conn:  # the failed transaction changed nothing and the pool goes on
        assert conn.execute(select(nonces.c.nonce)).scalars().all() == [secret]


def test_statements_made_per_execution_are_refused(db: Database) -> None:
    expanding = Direct(select(users.c.id).where(users.c.id.in_(bindparam("ids", expanding=True))))
    with db.read() as conn, pytest.raises(ValueError, match="per execution"):
        expanding.all(conn, {"ids": ["u1"]})


def test_a_connection_outside_a_transaction_begins_one(db: Database) -> None:
    _seed(db)
    with db.engine.connect() as conn:
        assert not conn.in_transaction()
        assert repository._USER.one(conn, {"user_id": "u1"}).display_name == "김하나"
        assert conn.in_transaction()


@pytest.mark.postgres
def test_a_lost_connection_is_invalidated_and_the_pool_recovers(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a server that can drop a client's connection")
    db = Database(database_url)
    head = Direct(select(audit_head.c.seq).where(audit_head.c.id == 1))
    try:
        db.migrate()
        conn = db.engine.connect()
        conn.begin()
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killer.commit()
        with pytest.raises(exc.OperationalError) as raised:
            head.one(conn, {})
        assert raised.value.connection_invalidated and conn.invalidated
        conn.close()
        with db.read() as fresh:
            assert head.one(fresh, {}).seq == 0
    finally:
        db.dispose()
