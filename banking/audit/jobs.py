"""The audit trail's scheduled work, as the background workers, the CLI and the API run it."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from banking.audit import checkpoints as audit_checkpoints, retention as audit_retention

if TYPE_CHECKING:
    from banking.platform.services import Services


def checkpoint(services: "Services") -> audit_checkpoints.Checkpoint:
    """Sign the head, also to `settings.audit_checkpoint_log` when one is set."""
    return audit_checkpoints.write(services.db, services.keys, services.clock,
                                   services.settings.audit_checkpoint_log)


def prune(services: "Services", before: dt.datetime | None = None, *, by: str = "scheduler") -> audit_retention.Pruned:
    """Remove what is past retention (`settings.audit_retention_days`) or before `before`."""
    before = before or audit_retention.cutoff(services.clock(), services.settings.audit_retention_days)
    return audit_retention.prune(services.db, services.audit, services.keys.audit_chain, before, by=by)
