"""The audit trail's speed: `audit verify` against a plain scan of the same rows through the
same driver, durable appends per second, and export throughput with its peak memory."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from banking.audit.trail import Actor
from banking.platform.store import Database
from bench import fill, harness

_SCAN = ("SELECT seq, at, type, user_id, device_id, session_id, request_id, detail, prev_hash, hash "
         "FROM audit_events ORDER BY seq")


def plain_scan(db: Database) -> int:
    """Every row of the trail through the driver's own cursor, in batches (server-side on
    PostgreSQL), as the verifier reads them, doing nothing with them."""
    n = 0
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cursor = raw.cursor(name="bench_scan") if not db.is_sqlite else raw.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(_SCAN)
            while batch := cursor.fetchmany(5000):
                n += len(batch)
        finally:
            cursor.close()
        conn.rollback()
    return n


def verify_function() -> tuple[Any, str]:
    """The audit engineer's streaming verifier, or the reference `AuditTrail.check`."""
    try:
        from banking.audit.verify import verify

        return verify, "banking.audit.verify.verify"
    except ImportError:
        return None, "AuditTrail.check (no verifier module)"


def verify_vs_scan(services: Any, n: int) -> dict[str, Any]:
    verify, name = verify_function()
    scan_s = verify_s = float("inf")
    for _ in range(2):  # the better of two runs each: the first also warms the page cache
        t = time.perf_counter()
        scanned = plain_scan(services.db)
        scan_s = min(scan_s, time.perf_counter() - t)
        t = time.perf_counter()
        if verify is not None:
            result = verify(services.db, services.keys.audit_chain)
            assert result.ok, result.summary()
        else:
            from sqlalchemy import select

            from banking.platform.store.tables import audit_events
            with services.db.read() as conn:
                rows = conn.execution_options(yield_per=5000).execute(
                    select(audit_events).order_by(audit_events.c.seq)).mappings()
                assert all(ok for _, ok in services.audit.check(rows, 0, "0" * 64))
        verify_s = min(verify_s, time.perf_counter() - t)
    return {"events": scanned, "verify_s": round(verify_s, 3), "scan_s": round(scan_s, 3),
            "verify_per_s": round(scanned / verify_s), "scan_per_s": round(scanned / scan_s),
            "ratio": round(scan_s / verify_s, 3), "verifier": name}


def appends_per_second(services: Any, seconds: float) -> float:
    actor = Actor(user_id="demo", device_id="demo-tv", session_id="s_bench", request_id="r" * 32)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        with services.db.begin() as conn:  # one durable commit per event, as a turn does
            services.audit.append(conn, "bench.append", {"n": n, "intent": "balance"}, actor)
        n += 1
    return n / (time.perf_counter() - start)


def export_probe(data_dir: Path, url: str) -> dict[str, Any]:
    """Export every event (JSON lines to /dev/null) in a fresh subprocess, so that its peak
    memory is the export's own."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.export_probe", str(data_dir), url],
        capture_output=True, text=True, timeout=1800, env={**os.environ, "PYTHONPATH": str(harness.REPO)},
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["export failed"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(engine: str, events: int, append_seconds: float, export_events: int | None) -> dict[str, Any]:
    with harness.workdir("audit") as d, harness.database(engine, d) as url:
        app = harness.build_app(d, url)
        services = harness.services_of(app)
        try:
            rate = appends_per_second(services, append_seconds)
            fill.audit_events_bulk(services, events)
            result = {"engine": engine, **verify_vs_scan(services, events), "appends_per_s": round(rate, 1)}
            if export_events is not None:
                if export_events > events:
                    fill.audit_events_bulk(services, export_events - events)
                result["export"] = export_probe(d, url)
        finally:
            services.close()
    return result
