"""Bounded thread pools for partner calls.

A voice turn waits for its partner calls no longer than its budget, so the calls run in
pools. Reads and transfer sends get a pool each: under a flood of slow reads a send must
still start at once, and a send queued behind reads is a send that may begin after
couchbank has told the person it failed. Each pool refuses work past its threads plus a
bounded queue instead of queueing without end, and work that nobody waits for any more is
cancelled before it starts (`cancel_unstarted`)."""
from __future__ import annotations

import concurrent.futures
import contextvars
import threading
from typing import Any, Callable, Iterable, TypeVar

T = TypeVar("T")


class PoolFull(Exception):
    """Every thread is busy and the queue is full: the work was not taken."""


class BoundedPool:
    def __init__(self, name: str, workers: int, queue: int) -> None:
        self.name = name
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix=f"couchbank-{name}")
        self._slots = threading.BoundedSemaphore(workers + queue)

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run `fn(*args)` in the pool, in a copy of the caller's context (request id for
        logs); raises PoolFull rather than queue past the bound."""
        if not self._slots.acquire(blocking=False):
            raise PoolFull(self.name)
        try:
            future = self._executor.submit(contextvars.copy_context().run, fn, *args)
        except BaseException:
            self._slots.release()
            raise
        # also runs for a cancelled future, so cancelled work gives its slot back at once
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def cancel_unstarted(futures: Iterable[concurrent.futures.Future[Any]]) -> None:
    """Drop the work of calls nobody waits for; those already running finish by their own
    timeouts (an HTTP request cannot be taken back once on the wire)."""
    for future in futures:
        future.cancel()
