"""The service's parts, one set per process, shared by the HTTP edge, the CLI and the
background workers. `banking.bootstrap` builds them."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app

from banking.audit.trail import AuditTrail
from banking.platform.config import Settings
from banking.platform.partners import Partners
from banking.platform.pools import BoundedPool
from banking.platform.security.keys import Keyring
from banking.platform.store import Database
from banking.platform.workers import Job, Worker, start_workers, stop_workers

EXTENSION = "couchbank"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    keys: Keyring
    audit: AuditTrail
    partners: Partners
    clock: Callable[[], dt.datetime] = field(default=utcnow)
    #: partner calls of voice turns run in these, so a turn can answer before a slow bank
    #: does; reads and sends apart, so that neither starves the other (`banking.platform.pools`)
    reads: BoundedPool = field(init=False)
    sends: BoundedPool = field(init=False)
    _ready: bool = field(default=False, init=False, repr=False)
    _ready_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    #: what the background workers run (`banking.bootstrap.jobs`)
    jobs: list[Job] = field(default_factory=list)
    _workers: list[Worker] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.reads = BoundedPool("read", self.settings.read_workers, self.settings.read_queue)
        self.sends = BoundedPool("send", self.settings.send_workers, self.settings.send_queue)

    def ensure_ready(self) -> None:
        """Upgrade the schema once per process, on first need, so that commands that need no
        database (`flask nlu parse`) never touch one."""
        if self._ready:
            return
        with self._ready_lock:
            if not self._ready:
                self.db.migrate(self.keys)
                self._ready = True

    def start_background(self) -> None:
        self.ensure_ready()
        if not self._workers:
            self._workers = start_workers(self.jobs)

    def stop_background(self) -> None:
        stop_workers(self._workers)
        self._workers = []

    def close(self) -> None:
        self.stop_background()
        self.reads.shutdown()
        self.sends.shutdown()
        self.partners.close()
        self.db.dispose()


def current() -> Services:
    return current_app.extensions[EXTENSION]
