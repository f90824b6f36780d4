"""The voice turn's hot statements, run on the driver's own cursor.

A verified balance turn runs nine short statements. Through SQLAlchemy's execution path
each one spends 15 to 30 µs in Python before the driver sees it (building an execution
context, looking up the compiled form, processing parameters, dispatching events, wrapping
the result); on the driver's cursor the same statement takes 3 to 5 µs. Together that was
the largest share of a turn's own work that the benchmark's floor does not have.

A `Direct` statement keeps what SQLAlchemy is here for. SQLAlchemy compiles the Core
statement to SQL, once per dialect. Values go through the column types' own bind and
result processors (`TypeEngine.dialect_impl`). The connection, its pool and its
transaction are SQLAlchemy's. Driver errors come out as SQLAlchemy's exception classes,
and a lost connection is invalidated as SQLAlchemy would invalidate it. What it skips is
the per-execution work that these fixed statements do not need.

Only statements of the kinds used here are accepted (no expanding or literal-rendered
parameters); anything else fails when the plan is built, not with wrong SQL."""
from __future__ import annotations

import threading
from collections import namedtuple
from typing import Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


class _Plan:
    """One statement compiled for one dialect, with its parameters' order and processors."""

    def __init__(self, stmt: Executable, dialect: Dialect, column_keys: Sequence[str] | None) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None)
        binds = compiled.binds
        for name, bind in binds.items():
            if bind.expanding or bind.literal_execute or bind.callable is not None:
                raise ValueError(f"parameter {name!r} is made per execution; run it through Core")
        if compiled.escaped_bind_names:
            raise ValueError("parameter names that the SQL escapes; run it through Core")
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        # the names as rendered, in order for a positional driver (one may repeat)
        self.names: tuple[str, ...] = (tuple(compiled.positiontup or ()) if self.positional
                                       else tuple(dict.fromkeys(compiled.bind_names.values())))
        # values that the statement carries itself (a literal in a WHERE clause, a LIMIT)
        self.defaults = {name: binds[name].effective_value for name in self.names if not binds[name].required}
        self._binding: list[tuple[str, Processor]] = [
            (name, binds[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in self.names]
        self._columns = list(stmt.exported_columns)  # type: ignore[attr-defined]
        self._dialect = dialect
        self._rows: tuple[Any, list[Processor]] | None = None

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        defaults = self.defaults
        processed = []
        for name, process in self._binding:
            value = values[name] if name in values else defaults[name]
            processed.append(process(value) if process is not None and value is not None else value)
        return processed if self.positional else dict(zip(self.names, processed))

    def row_factory(self, description: Sequence[Sequence[Any]]) -> tuple[Any, list[Processor]]:
        # built on the first fetch, when the driver has said what the columns' types are
        if self._rows is None:
            names = [d[0] for d in description]
            processors = [col.type.dialect_impl(self._dialect).result_processor(self._dialect, d[1])
                          for col, d in zip(self._columns, description)]
            self._rows = (namedtuple("Row", names, rename=True), processors)  # type: ignore[misc]
        return self._rows


class Direct:
    """A Core statement run on the driver's cursor inside a SQLAlchemy `Connection`'s
    transaction. `column_keys` names the columns of an INSERT whose values arrive at
    execution."""

    def __init__(self, stmt: Executable, column_keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self._column_keys = column_keys
        self._plans: dict[tuple[str, str, str], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self, dialect: Dialect) -> _Plan:
        # by what shapes the SQL, not by engine: every engine of a kind shares one plan
        kind = (dialect.name, dialect.driver, dialect.paramstyle)
        plan = self._plans.get(kind)
        if plan is None:
            with self._lock:
                plan = self._plans.get(kind) or _Plan(self.stmt, dialect, self._column_keys)
                self._plans[kind] = plan
        return plan

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Run once; the number of rows it changed."""
        plan = self._plan(conn.dialect)
        cursor = _cursor(conn, plan, plan.parameters(values))
        count: int = cursor.rowcount
        cursor.close()
        return count

    def executemany(self, conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        plan = self._plan(conn.dialect)
        _cursor(conn, plan, [plan.parameters(r) for r in rows], many=True).close()

    def all(self, conn: Connection, values: Mapping[str, Any]) -> list[Any]:
        plan = self._plan(conn.dialect)
        cursor = _cursor(conn, plan, plan.parameters(values))
        try:
            raw = _guard(conn, plan, cursor, cursor.fetchall)
            if not raw:
                return []
            row, processors = plan.row_factory(cursor.description)
        finally:
            cursor.close()
        if not any(processors):
            return [row._make(r) for r in raw]
        return [row._make([p(v) if p is not None else v for p, v in zip(processors, r)]) for r in raw]

    def first(self, conn: Connection, values: Mapping[str, Any]) -> Any | None:
        rows = self.all(conn, values)
        return rows[0] if rows else None

    def one(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        rows = self.all(conn, values)
        if len(rows) != 1:
            raise (exc.NoResultFound if not rows else exc.MultipleResultsFound)(
                f"expected one row, got {len(rows)}")
        return rows[0]


def _cursor(conn: Connection, plan: _Plan, params: Any, many: bool = False) -> Any:
    """A fresh driver cursor that has run the plan's SQL with `params` (a list of them when
    `many`)."""
    if not conn.in_transaction():
        conn.begin()  # as SQLAlchemy's autobegin would
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    run = cursor.executemany if many else cursor.execute
    try:
        _guard(conn, plan, cursor, lambda: run(plan.sql, params))
    except BaseException:
        cursor.close()
        raise
    return cursor


def _guard(conn: Connection, plan: _Plan, cursor: Any, step: Callable[[], Any]) -> Any:
    dbapi = conn.dialect.loaded_dbapi
    try:
        return step()
    except dbapi.Error as error:
        lost = conn.dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(error)
        # without the parameters: they can hold nonces, account numbers and hashes
        raise exc.DBAPIError.instance(plan.sql, None, error, dbapi.Error,
                                      connection_invalidated=lost, dialect=conn.dialect) from error
