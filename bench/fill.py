"""Bulk loading for benchmarks: a valid audit chain and old transfers, written with
executemany in big batches (one transaction per batch, not per row)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update

from banking.audit.trail import chain_hash, dump_detail
from banking.platform.security import account_numbers
from banking.platform.services import Services
from banking.platform.store.tables import audit_events, audit_head, transfers

BATCH = 20_000
USERS = ("demo", "u-0001", "u-0002", "u-0003")
TYPES = ("turn", "partner.balance", "auth.pin", "transfer.pending", "transfer.completed")


def audit_events_bulk(services: Services, n: int, *, start: dt.datetime | None = None) -> None:
    """Append `n` chained events after the current head, as `AuditTrail.append` would have
    written them, so that `audit verify` accepts the result."""
    key = services.keys.audit_chain
    at = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    step = dt.timedelta(seconds=30)
    with services.db.begin() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    seq, prev = head.seq, head.hash
    done = 0
    while done < n:
        rows: list[dict[str, Any]] = []
        for _ in range(min(BATCH, n - done)):
            seq += 1
            at += step
            user = USERS[seq % len(USERS)]
            event = {"seq": seq, "at": at, "type": TYPES[seq % len(TYPES)], "user_id": user,
                     "device_id": f"dev-{user}", "session_id": f"s_{seq // 4:032x}",
                     "request_id": uuid.UUID(int=seq).hex,
                     "detail": dump_detail({"intent": "balance", "status": "completed", "n": seq})}
            event["prev_hash"] = prev
            event["hash"] = prev = chain_hash(key, prev, event)
            rows.append(event)
        with services.db.begin() as conn:
            conn.execute(audit_events.insert(), rows)
            conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
        done += len(rows)


def transfers_bulk(services: Services, n: int) -> None:
    """`n` settled transfers spread over past days and the bench users."""
    now = dt.datetime.now(dt.UTC)
    done = 0
    while done < n:
        rows = []
        for i in range(done, min(n, done + BATCH)):
            created = now - dt.timedelta(days=2 + i % 700, seconds=i)
            transfer_id = f"tr_{uuid.UUID(int=i).hex}"
            rows.append({
                "id": transfer_id, "user_id": "demo", "session_id": f"s_{i:032x}",
                "device_id": "demo-tv", "from_bank": "kbank", "payee": "아빠", "to_bank": "kbank",
                **account_numbers.transfer_values(services.keys, transfer_id, "100-123-456789", "100-555-000111"),
                "amount": 1000 + i % 50_000,
                "status": "completed" if i % 20 else "failed", "idempotency_key": f"bench{i:012d}",
                "bank_reference": f"ref{i}", "failure_reason": None, "last_outcome": "ok",
                "day": created.date().isoformat(), "attempts": 1, "next_check_at": None,
                "claimed_by": None, "claimed_until": None, "created_at": created, "updated_at": created,
            })
        with services.db.begin() as conn:
            conn.execute(transfers.insert(), rows)
        done += len(rows)
