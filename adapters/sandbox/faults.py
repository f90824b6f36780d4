"""Injected faults (CONTRACT 5), kept in the database so every server thread sees one
queue and a fault is used up exactly once."""
from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g

from adapters.sandbox import engine, state
from adapters.sandbox.db import Database

OPS = ("transfer", "balance", "any")
MODES = ("error_500", "timeout_before_commit", "timeout_after_commit", "latency", "throttle", "processing")
DEFAULT_DELAY_MS = {"throttle": 1000, "processing": 3000, "error_500": 0}


@dataclass(frozen=True)
class Fault:
    op: str
    mode: str
    count: int
    delay_ms: int


def parse(body: Any) -> Fault:
    """A fault from the operator's JSON; ValueError names what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    op, mode = body.get("op", "any"), body.get("mode")
    if op not in OPS:
        raise ValueError(f"op must be one of {OPS}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    count = body.get("count", 1)
    delay = body.get("delay_ms", DEFAULT_DELAY_MS.get(mode, 15000))
    for name, value in (("count", count), ("delay_ms", delay)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    return Fault(op, mode, count, delay)


def add(db: Database, fault: Fault) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO faults (op, mode, remaining, delay_ms) VALUES (?, ?, ?, ?)",
            (fault.op, fault.mode, fault.count, fault.delay_ms),
        )


def clear(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute("DELETE FROM faults")


def take(db: Database, op: str) -> Fault | None:
    """Use up one matching fault, oldest first."""
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM faults WHERE remaining > 0 AND (op = ? OR op = 'any') ORDER BY id LIMIT 1", (op,)
        ).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", (row["id"],))
        conn.execute("DELETE FROM faults WHERE remaining <= 0")
    return Fault(row["op"], row["mode"], 1, row["delay_ms"])


def processing_delay_ms() -> int | None:
    """Set when the current transfer request drew a `processing` fault."""
    return g.get("processing_delay_ms")


def faulted(op: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a dialect view so that the next matching fault shapes its answer. `op` is
    what the view does: "transfer", "balance", or anything else (only `any` faults match)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sandbox = state.current()
            fault = take(sandbox.db, op)
            if fault is None:
                return view(*args, **kwargs)
            delay = fault.delay_ms / 1000
            if fault.mode == "error_500":
                return sandbox.dialect.server_error()
            if fault.mode == "timeout_before_commit":
                time.sleep(delay)
                return sandbox.dialect.server_error()
            if fault.mode == "throttle":
                return sandbox.dialect.throttled(max(1, math.ceil(delay)))
            if fault.mode == "latency":
                with engine.receiving(sandbox.dialect.transfer_key() if op == "transfer" else None):
                    time.sleep(delay)
                    return view(*args, **kwargs)
            if fault.mode == "processing":
                g.processing_delay_ms = fault.delay_ms
                return view(*args, **kwargs)
            answer = view(*args, **kwargs)  # timeout_after_commit: the work is done
            time.sleep(delay)
            return answer

        return wrapper

    return decorate
