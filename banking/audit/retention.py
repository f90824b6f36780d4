"""Retention: events older than the retention period are removed from the front of the chain,
and the chain stays verifiable from an anchor (the last removed event's seq and hash).

Korean law keeps electronic financial transaction records up to five years (전자금융거래법
§22), so the default period is five years (`settings.audit_retention_days`). A prune first
verifies what it removes (pruning must never launder a tampered event), moves the anchor and
records itself as a chained `auditor.prune` event that names the new anchor, in one
transaction; verify accepts an anchor only when the newest prune event vouches for it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from banking.audit.trail import Actor, AuditTrail, iso
from banking.audit.verify import PRUNE_TYPE, walk
from banking.core.formats import utc
from banking.platform.store.database import Database
from banking.platform.store.tables import audit_events, audit_head


class PruneRefused(Exception):
    """The events to be removed do not verify; they are kept for investigation."""


@dataclass(frozen=True)
class Pruned:
    removed: int
    anchor_seq: int
    before: dt.datetime


def cutoff(now: dt.datetime, retention_days: int) -> dt.datetime:
    return now - dt.timedelta(days=retention_days)


def prune(db: Database, trail: AuditTrail, key: bytes, before: dt.datetime, *, by: str) -> Pruned:
    """Remove every event before `before` (UTC); `by` says who asked (a command, the scheduler)."""
    with db.begin() as conn:
        head = conn.execute(select(audit_head).where(audit_head.c.id == 1).with_for_update()).one()
        # the chain must stay a contiguous run, so the cut is before the first event to keep
        first_kept = conn.execute(
            select(func.min(audit_events.c.seq)).where(audit_events.c.at >= utc(before),
                                                       audit_events.c.seq > head.anchor_seq)
        ).scalar()
        new_anchor = head.seq if first_kept is None else first_kept - 1
        if new_anchor <= head.anchor_seq:
            return Pruned(0, head.anchor_seq, before)
        checked = walk(conn, key, head.anchor_seq, head.anchor_hash, upto=new_anchor)
        if checked.bad_seq is not None:
            raise PruneRefused(f"event {checked.bad_seq} does not verify: {checked.reason}")
        removed = conn.execute(delete(audit_events).where(audit_events.c.seq <= new_anchor)).rowcount
        conn.execute(update(audit_head).where(audit_head.c.id == 1)
                     .values(anchor_seq=new_anchor, anchor_hash=checked.last_hash))
        trail.append(conn, PRUNE_TYPE, {
            "by": by, "before": iso(before), "removed": removed,
            "anchor_seq": new_anchor, "anchor_hash": checked.last_hash,
        }, Actor())
    return Pruned(removed, new_anchor, before)
