"""Cancel races release (CONTRACT §8): two processes on one PostgreSQL database, one
releasing a due held transfer (the scheduler's conditional UPDATE under `SKIP LOCKED`), the
other cancelling it (the voice cancel's conditional UPDATE), released together a hundred
times. Exactly one wins each time, the audit trail names the winner, and the daily limit is
given back exactly for the cancelled ones."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from adapters.memory import MemoryAdapter
from banking import bootstrap
from banking.audit.trail import Actor
from banking.auth import enrolment
from banking.demo.seed import seed_demo_if_empty
from banking.platform.partners import Partners
from banking.platform.security import account_numbers
from banking.platform.store.tables import audit_events, daily_usage, payees, transfers
from banking.transfers import cancel, release, reserve
from tests.concurrency import CONCURRENCY
from tests.support import HAS_PG, fresh_pg_database, make_settings

pytestmark = [*CONCURRENCY, pytest.mark.skipif(not HAS_PG, reason="needs DATABASE_URL=postgresql+psycopg://...")]
ROUNDS = 100


def _services(data_dir: Path, url: str) -> Any:
    partners = Partners({"kbank": MemoryAdapter("kbank"), "woori": MemoryAdapter("woori")})
    services = bootstrap.build(make_settings(data_dir, url), partners=partners)
    services.ensure_ready()
    return services


def _racer(role: str, data_dir: str, url: str, conn: Any) -> None:
    """Waits for (transfer id, start time), acts at that instant, answers whether it won."""
    services = _services(Path(data_dir), url)
    try:
        while (job := conn.recv()) is not None:
            transfer_id, at = job
            time.sleep(max(0.0, at - time.time()))
            if role == "release":
                conn.send(release.release_one(services) is not None)
            else:
                with services.db.begin() as db:
                    after = cancel(db, services, transfer_id, "demo", Actor(user_id="demo", request_id="race"))
                conn.send(after.status == "cancelled")
    finally:
        services.close()


def _held(services: Any) -> str:
    """A held transfer to 엄마, due now."""
    with services.db.begin() as conn:
        payee = conn.execute(select(payees).where(payees.c.name == "엄마")).one()
        transfer = reserve(conn, services, user_id="demo", daily_limit=10**12, from_bank="kbank",
                           from_account="100-123-456789", payee="엄마", to_bank="woori",
                           to_account=account_numbers.payee_number(services.keys, "demo", payee),
                           amount=1000, actor=Actor(user_id="demo"))
        assert transfer is not None and transfer.status == "held"
        conn.execute(update(transfers).where(transfers.c.id == transfer.id)
                     .values(release_at=services.clock() - dt.timedelta(seconds=1)))
        return transfer.id


def test_release_and_cancel_from_two_processes_have_one_winner(tmp_path: Path) -> None:
    url, drop = fresh_pg_database()
    services = _services(tmp_path, url)
    context = multiprocessing.get_context("spawn")
    pipes, racers = [], []
    try:
        seed_demo_if_empty(services)
        with services.db.begin() as conn:
            enrolment.set_hold(conn, "demo", 60)
        for role in ("release", "cancel"):
            ours, theirs = context.Pipe()
            racer = context.Process(target=_racer, args=(role, str(tmp_path), url, theirs), daemon=True)
            racer.start()
            pipes.append(ours)
            racers.append(racer)
        winners = []
        for _ in range(ROUNDS):
            transfer_id = _held(services)
            at = time.time() + 0.05
            for pipe in pipes:
                pipe.send((transfer_id, at))
            released, cancelled = (pipe.recv() for pipe in pipes)
            assert released != cancelled, (transfer_id, released, cancelled)
            winners.append((transfer_id, "released" if released else "cancelled"))
        with services.db.read() as conn:
            rows = dict(conn.execute(select(transfers.c.id, transfers.c.status)).all())
            events = conn.execute(select(audit_events.c.type, audit_events.c.detail)
                                  .where(audit_events.c.type.in_(["transfer.released", "transfer.cancelled"]))).all()
            used = conn.execute(select(daily_usage.c.total).where(daily_usage.c.user_id == "demo")).scalar()
        for transfer_id, winner in winners:
            assert rows[transfer_id] == ("pending" if winner == "released" else "cancelled")
            assert [e.type for e in events if transfer_id in e.detail] == [f"transfer.{winner}"]
        assert used == 1000 * sum(1 for _, w in winners if w == "released")
        assert {w for _, w in winners} == {"released", "cancelled"}, "the race was never close"
    finally:
        for pipe in pipes:
            pipe.send(None)
        for racer in racers:
            racer.join(20)
        services.close()
        drop()
