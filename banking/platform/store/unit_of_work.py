"""One request's database work, made explicit (cosmicpython's unit of work, over Core
connections): the read transaction its edge began, what it spends, and its commits."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from sqlalchemy import Connection

from banking.platform.store.database import Database

#: a write that must commit together with the request's first commit (the device's nonce);
#: it raises when it cannot be made, and the transaction then changes nothing
Spend = Callable[[Connection], None]


class UnitOfWork:
    """What the HTTP edge hands a request: `read` continues the read transaction the edge
    checked the nonce in (one snapshot, one BEGIN and COMMIT for the request's reads), and
    the first `write` that commits spends the nonce in the same durable commit as the
    request's own rows, so a turn costs one commit and a replay that raced past the edge's
    check fails on the nonce and changes nothing. `finish` spends it for a request that
    wrote nothing; `close` gives back a read nobody continued.

    A write is undone unless `commit` is called inside it. One thread only: pool threads
    open their own transactions."""

    def __init__(self, db: Database, *, held: Connection | None = None, spend: Spend | None = None) -> None:
        self.db = db
        self._held = held
        self._spend = spend
        self._writing: Connection | None = None

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        held, self._held = self._held, None
        if held is None:
            with self.db.read() as conn:
                yield conn
            return
        try:
            yield held
        finally:
            held.close()  # the pool rolls the read transaction back

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        with self.db.begin() as conn:
            if self._spend is not None:
                self._spend(conn)  # first: a replay fails before it has done anything
            self._writing = conn
            try:
                yield conn
            finally:
                self._writing = None
            if conn.in_transaction():
                conn.rollback()  # left without `commit`: nothing of it stands

    def commit(self) -> None:
        """Commit the current `write`, and with it what the unit of work spends."""
        if self._writing is None:
            raise RuntimeError("commit outside a write")
        self._writing.commit()
        self._spend = None

    def finish(self) -> None:
        """Spend what no write spent: a request that wrote nothing still uses its nonce."""
        if self._spend is not None:
            with self.write():
                self.commit()

    def close(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()
