"""Housekeeping that keeps tables small."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from banking.platform.services import Services
from banking.platform.store.tables import nonces


def prune_nonces(services: Services) -> int:
    # a nonce older than the signature window can never be replayed: its timestamp is refused
    cutoff = services.clock() - dt.timedelta(seconds=2 * services.settings.signature_window_s)
    with services.db.begin() as conn:
        return conn.execute(delete(nonces).where(nonces.c.seen_at < cutoff)).rowcount
