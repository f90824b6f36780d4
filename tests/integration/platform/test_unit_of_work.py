"""A request's unit of work (`banking.platform.store.UnitOfWork`), on each engine: the nonce is
spent with the first write that commits, a write left without `commit` changes nothing, a
request that wrote nothing spends it in `finish`, and a replay's write changes nothing."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest
from sqlalchemy import Connection, func, select

from banking.platform.store import Database, UnitOfWork, insert_ignore
from banking.platform.store.tables import nonces

AT = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


class Replayed(Exception):
    pass


def spend(nonce: str):  # type: ignore[no-untyped-def]
    def step(conn: Connection) -> None:
        if not insert_ignore(conn, nonces, {"device_id": "d1", "nonce": nonce, "seen_at": AT}):
            raise Replayed
    return step


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


def _nonces(db: Database) -> list[str]:
    with db.read() as conn:
        return list(conn.execute(select(nonces.c.nonce).order_by(nonces.c.nonce)).scalars())


def test_the_first_commit_spends_and_an_uncommitted_write_changes_nothing(db: Database) -> None:
    uow = UnitOfWork(db, spend=spend("n1"))
    with uow.write() as conn:
        insert_ignore(conn, nonces, {"device_id": "other", "nonce": "left", "seen_at": AT})
    assert _nonces(db) == []  # left without commit: undone, the nonce still owed
    with uow.write() as conn:
        insert_ignore(conn, nonces, {"device_id": "other", "nonce": "kept", "seen_at": AT})
        uow.commit()
    with uow.write() as conn:  # spent once: later writes only carry their own rows
        insert_ignore(conn, nonces, {"device_id": "other", "nonce": "later", "seen_at": AT})
        uow.commit()
    uow.finish()
    assert _nonces(db) == ["kept", "later", "n1"]


def test_a_request_that_wrote_nothing_spends_in_finish(db: Database) -> None:
    uow = UnitOfWork(db, held=db.hold_read(), spend=spend("n2"))
    with uow.read() as conn:  # continues the held read
        assert conn.execute(select(func.count()).select_from(nonces)).scalar_one() == 0
    uow.finish()
    uow.finish()
    uow.close()
    assert _nonces(db) == ["n2"]


def test_a_replay_that_raced_past_the_check_changes_nothing(db: Database) -> None:
    UnitOfWork(db, spend=spend("n3")).finish()
    replay = UnitOfWork(db, spend=spend("n3"))
    with pytest.raises(Replayed), replay.write() as conn:
        insert_ignore(conn, nonces, {"device_id": "other", "nonce": "replayed", "seen_at": AT})
        replay.commit()
    assert _nonces(db) == ["n3"]


def test_commit_outside_a_write_is_refused(db: Database) -> None:
    with pytest.raises(RuntimeError):
        UnitOfWork(db).commit()
