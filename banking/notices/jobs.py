"""The notices' scheduled work: notices are kept `settings.notice_retention_days` (7)."""
from __future__ import annotations

import datetime as dt

from banking.notices import repository
from banking.platform.services import Services


def prune(services: Services) -> int:
    before = services.clock() - dt.timedelta(days=services.settings.notice_retention_days)
    with services.db.begin() as conn:
        return repository.prune(conn, before)
