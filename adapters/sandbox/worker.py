"""The sandbox's background thread: finishes `processing` transfers that are due and
delivers the interbank outbox. Both are idempotent passes, so a restart just resumes."""
from __future__ import annotations

import logging
import threading

from adapters.sandbox import engine, interbank
from adapters.sandbox.state import Sandbox

log = logging.getLogger(__name__)
TICK_S = 0.1


def _run(sandbox: Sandbox) -> None:
    while not sandbox.stopping.wait(TICK_S):
        try:
            engine.settle_due(sandbox)
            interbank.deliver_outbox(sandbox)
        except Exception:  # keep the bank's back office alive whatever one pass hit
            log.exception("sandbox worker pass failed")


def start(sandbox: Sandbox) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(sandbox,), name=f"{sandbox.bank.id}-worker", daemon=True)
    thread.start()
    return thread
