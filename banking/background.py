"""Background workers of a service process: the reconciler that settles pending
transfers, periodic signed audit checkpoints, and pruning of expired nonces."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import structlog

if TYPE_CHECKING:
    from banking.services import Services

log = structlog.get_logger(__name__)


@dataclass
class Worker:
    name: str
    thread: threading.Thread
    stop: threading.Event


def _loop(name: str, every_s: float, job: Callable[[], object], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            job()
        except Exception as exc:  # a failed round is retried next round, never fatal
            log.warning("background_job_failed", job=name, error_type=type(exc).__name__)
        stop.wait(every_s)


def start_workers(services: "Services") -> list[Worker]:
    jobs = _jobs(services)
    workers = []
    for name, every_s, job in jobs:
        stop = threading.Event()
        thread = threading.Thread(target=_loop, args=(name, every_s, job, stop),
                                  name=f"couchbank-{name}", daemon=True)
        thread.start()
        workers.append(Worker(name, thread, stop))
    return workers


def stop_workers(workers: list[object]) -> None:
    for worker in workers:
        assert isinstance(worker, Worker)
        worker.stop.set()
    for worker in workers:
        assert isinstance(worker, Worker)
        worker.thread.join(timeout=10)


def _jobs(services: "Services") -> list[tuple[str, float, Callable[[], object]]]:
    from banking import audit_jobs, maintenance, transfers

    return [
        # also the first thing after a restart: pending transfers are settled by asking the bank
        ("reconcile", services.settings.reconcile_every_s, lambda: transfers.reconcile_once(services)),
        ("prune-nonces", 60.0, lambda: maintenance.prune_nonces(services)),
        ("audit-checkpoint", services.settings.checkpoint_every_s, lambda: audit_jobs.checkpoint(services)),
        ("audit-retention", 86400.0, lambda: audit_jobs.prune(services)),
    ]
