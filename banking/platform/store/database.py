"""Engines, transactions and the few dialect differences the queries need."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite

from banking.platform.security.keys import Keyring
from banking.platform.store.direct import Direct
from banking.platform.store.migrations.runner import upgrade

_MIGRATION_LOCK_ID = 0x636F7563  # "couc": one advisory lock for schema upgrades


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=20,
                connect_args={"timeout": 30, "check_same_thread": False},
                # each SQLite connection drops its page cache when another one has written:
                # handing out the most recently used connection lets a request read through
                # the cache its own last write left warm
                pool_use_lifo=True,
            )
            _sqlite_transactions(self.engine)
            path = url.split("///", 1)[1]
            self._write_gate: _WriteGate | None = (
                _WriteGate(path + ".write.lock") if path and path != ":memory:" else None)
        else:
            self._write_gate = None
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True
            )

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error.
        On SQLite it takes the write lock up front (BEGIN IMMEDIATE) so that two writers
        never deadlock upgrading a read lock, and writers queue at a gate first (see
        `_WriteGate`)."""
        gate = self._write_gate.held() if self._write_gate is not None else contextlib.nullcontext()
        with gate, self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(couchbank_read_only=True)
            with conn.begin():
                yield conn

    def hold_read(self) -> Connection:
        """A read transaction, begun, for a caller to hand on (`UnitOfWork`); closing the
        connection ends it."""
        conn = self.engine.connect().execution_options(couchbank_read_only=True)
        try:
            conn.begin()
        except BaseException:
            conn.close()
            raise
        return conn

    def migrate(self, keys: Keyring | None = None) -> None:
        """Upgrade the schema to the newest revision, once, even when several processes
        start together. `keys` serve the data migrations that encrypt existing rows; a
        database with none of those rows upgrades without them."""
        if self.is_sqlite:
            lock_path = Path(self.url.split("///", 1)[1] + ".migrate.lock")
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            with open(lock_path, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    with self.engine.connect() as conn:
                        upgrade(conn, keys=keys)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        else:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
                conn.commit()
                try:
                    upgrade(conn, keys=keys)
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_ID})
                    conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_gate is not None:
            self._write_gate.close()


class _WriteGate:
    """SQLite admits one writer at a time, and a writer that finds the lock taken sleeps in
    SQLite's busy handler (1, 2, 5 ... 100 ms steps) however soon the lock is free: under
    concurrent turns most of a turn's time went to those sleeps. Writers queue here instead,
    on a mutex within the process and an flock across processes, and are woken the moment
    the previous writer commits. Reentrant within a thread; reopened after a fork, because
    an flock belongs to the open file, which a forked child would share."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._mutex = threading.RLock()
        self._depth = 0
        self._fd = -1
        self._pid = -1

    def _file(self) -> int:
        if self._pid != os.getpid():
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def close(self) -> None:
        with self._mutex:
            if self._pid == os.getpid():
                os.close(self._fd)
            self._fd, self._pid = -1, -1

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._mutex:
            self._depth += 1
            try:
                if self._depth == 1:
                    fcntl.flock(self._file(), fcntl.LOCK_EX)
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._file(), fcntl.LOCK_UN)


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot BEGIN IMMEDIATE; take over
    # (the SQLAlchemy-documented recipe)
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed transfer or audit event survives power loss, not only a crash
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # straight to the driver: a statement with no parameters and no result needs none of
        # the execution machinery, which cost more than the BEGIN itself on every transaction
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("BEGIN" if conn.get_execution_options().get("couchbank_read_only") else "BEGIN IMMEDIATE")


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT that does nothing on a key conflict; True when the row was inserted."""
    stmt = _insert_ignore_statement(conn.dialect.name, table, tuple(values))
    if conn.dialect.name == "postgresql":
        # RETURNING rather than rowcount: psycopg reports no rowcount for INSERT .. ON CONFLICT
        return stmt.first(conn, values) is not None
    return stmt.execute(conn, values) == 1


@functools.lru_cache(maxsize=256)
def _insert_ignore_statement(dialect_name: str, table: Table, columns: tuple[str, ...]) -> Direct:
    # built once per table and columns, run on the driver's cursor (every turn spends a nonce
    # through here): constructing a Core statement costs more than running it
    if dialect_name == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing().returning(list(table.primary_key.columns)[0])
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    return Direct(stmt, column_keys=columns)
