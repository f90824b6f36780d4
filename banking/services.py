"""The service's parts, built once per process from the settings and shared by the HTTP
edge, the CLI and the background workers."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app

from adapters import registry
from banking.audit import AuditTrail
from banking.config import Settings
from banking.partners import Partners
from banking.pools import BoundedPool
from banking.security.keys import Keyring, load_master_key
from banking.store import Database

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
    #: does; reads and sends apart, so that neither starves the other (`banking.pools`)
    reads: BoundedPool = field(init=False)
    sends: BoundedPool = field(init=False)
    _ready: bool = field(default=False, init=False, repr=False)
    _ready_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _workers: list[object] = field(default_factory=list, init=False, repr=False)

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
        from banking.background import start_workers

        self.ensure_ready()
        if not self._workers:
            self._workers = start_workers(self)

    def stop_background(self) -> None:
        from banking.background import stop_workers

        stop_workers(self._workers)
        self._workers = []

    def close(self) -> None:
        self.stop_background()
        self.reads.shutdown()
        self.sends.shutdown()
        self.partners.close()
        self.db.dispose()


def build(settings: Settings, *, partners: Partners | None = None) -> Services:
    keys = Keyring(lambda: load_master_key(settings.data_dir))
    db = Database(settings.database_url)
    if partners is None:
        partners = Partners(lambda: {
            name: registry.create(name, base_url=url, timeout_s=settings.adapter_timeout_s,
                                  data_dir=settings.data_dir)
            for name, url in settings.partner_urls.items()
        })
    return Services(settings=settings, db=db, keys=keys, audit=AuditTrail(lambda: keys.audit_chain),
                    partners=partners)


def current() -> Services:
    return current_app.extensions[EXTENSION]
