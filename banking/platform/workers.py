"""Background workers of a service process: each job runs in its own thread, every so many
seconds, until it is stopped. Which jobs there are is the bootstrap's business."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_s: float
    run: Callable[[], object]


@dataclass
class Worker:
    name: str
    thread: threading.Thread
    stop: threading.Event


def _loop(job: Job, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            job.run()
        except Exception as exc:  # a failed round is retried next round, never fatal
            log.warning("background_job_failed", job=job.name, error_type=type(exc).__name__)
        stop.wait(job.every_s)


def start_workers(jobs: list[Job]) -> list[Worker]:
    workers = []
    for job in jobs:
        stop = threading.Event()
        thread = threading.Thread(target=_loop, args=(job, stop), name=f"couchbank-{job.name}", daemon=True)
        thread.start()
        workers.append(Worker(job.name, thread, stop))
    return workers


def stop_workers(workers: list[Worker]) -> None:
    for worker in workers:
        worker.stop.set()
    for worker in workers:
        worker.thread.join(timeout=10)
