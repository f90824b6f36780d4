"""Schema migrations: once, safely, when several processes start together on a fresh
database (PostgreSQL: an advisory lock; SQLite: an flock), and a no-op when repeated."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from banking.platform.store import Database
from banking.platform.store.migrations import runner
from banking.platform.store.tables import metadata

ROOT = Path(__file__).resolve().parents[3]

# imports first, then waits for the common start so that the migrations really overlap
_MIGRATE = """
import sys, time
from banking.platform.store import Database
db = Database(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
db.migrate()
"""


def _head() -> str:
    head = ScriptDirectory.from_config(runner.config()).get_current_head()
    assert head is not None
    return head


def _schema(url: str) -> dict[str, Any]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        inspector = inspect(engine)
        with engine.connect() as conn:
            return {
                "tables": {name: sorted(c["name"] for c in inspector.get_columns(name))
                           for name in inspector.get_table_names()},
                "indexes": {name: sorted(i["name"] for i in inspector.get_indexes(name))
                            for name in inspector.get_table_names()},
                "versions": conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all(),
                "audit_head": conn.execute(text("SELECT id, seq, hash FROM audit_head")).all(),
            }
    finally:
        engine.dispose()


def _assert_complete(schema: dict[str, Any]) -> None:
    assert schema["versions"] == [_head()]
    for name, table in metadata.tables.items():
        assert sorted(c.name for c in table.columns) == schema["tables"].get(name), name
    assert len(schema["audit_head"]) == 1


def test_four_processes_migrating_a_fresh_database_at_once_all_succeed(database_url: str) -> None:
    start_at = time.time() + 3
    processes = [subprocess.Popen([sys.executable, "-c", _MIGRATE, database_url, str(start_at)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(4)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, outputs
    _assert_complete(_schema(database_url))


def test_migrating_twice_is_a_no_op(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        first = _schema(database_url)
        db.migrate()
        assert _schema(database_url) == first
    finally:
        db.dispose()
    _assert_complete(first)


def test_upgrading_a_populated_0001_database_keeps_the_chain_and_the_nonces(database_url: str) -> None:
    from banking.audit.trail import Actor, AuditTrail
    from banking.audit.verify import verify
    from banking.platform.store import insert_ignore
    from banking.platform.store.tables import audit_events, nonces

    key = b"k" * 32
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            runner.upgrade(conn, "0001")
            conn.commit()
        trail = AuditTrail(key)
        with db.begin() as conn:
            for n in range(50):
                trail.append(conn, "turn", {"n": n}, Actor(user_id="demo"))
            insert_ignore(conn, nonces, {"device_id": "d1", "nonce": "n1", "seen_at": _now()})
        db.migrate()
        assert _schema(database_url)["versions"] == [_head()]
        result = verify(db, key)
        assert result.ok and result.checked == 50
        with db.begin() as conn:
            assert not insert_ignore(conn, nonces, {"device_id": "d1", "nonce": "n1", "seen_at": _now()})
            trail.append(conn, "turn", {"n": 50}, Actor(user_id="demo"))
            assert conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one() == 51
        assert verify(db, key).ok
        assert audit_events.name in _schema(database_url)["tables"]
    finally:
        db.dispose()


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)
