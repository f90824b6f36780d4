"""Bounded pools: work past threads plus queue is refused, and cancelled work gives its
slot back (reads nobody waits for are dropped, not run)."""
import threading

import pytest

from banking.platform.pools import BoundedPool, PoolFull, cancel_unstarted


def test_work_past_the_bound_is_refused_and_cancelled_work_frees_its_slot():
    pool = BoundedPool("t", workers=1, queue=1)
    release = threading.Event()
    ran: list[str] = []
    try:
        running = pool.submit(release.wait, 5)
        queued = pool.submit(ran.append, "queued")
        with pytest.raises(PoolFull):
            pool.submit(ran.append, "refused")
        cancel_unstarted([queued])
        assert queued.cancelled()
        again = pool.submit(ran.append, "again")  # the cancelled one's slot
        release.set()
        running.result(5)
        again.result(5)
        assert ran == ["again"], "cancelled work never runs"
    finally:
        release.set()
        pool.shutdown()
