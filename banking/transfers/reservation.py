"""Step 1 of a transfer: write it down as pending, with the bank's idempotency key and the
daily limit taken, in the caller's transaction, before the bank hears of it. A transfer the
holding rule holds (`banking.transfers.hold`) is written down as `held` instead, with no
send window yet: the scheduler (`banking.transfers.release`) gives it one when it is due."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Connection

from banking.audit.trail import Actor
from banking.platform import metrics
from banking.platform.security import account_numbers
from banking.platform.services import Services
from banking.platform.store.tables import transfers
from banking.transfers import hold, limits
from banking.transfers.model import WORKER_ID, Transfer


def reserve(conn: Connection, services: Services, *, user_id: str, daily_limit: int, from_bank: str,
            from_account: str, payee: str, to_bank: str, to_account: str, amount: int,
            actor: Actor) -> Transfer | None:
    """Take the daily limit and write the transfer down as pending; None when the limit
    would be overshot. `send_by` is when its send must have begun (`banking.transfers.send`,
    the exactly-once rule)."""
    now = services.clock()
    day = limits.kst_day(now)
    if not limits.take(conn, user_id, day, amount, daily_limit):
        return None
    key = services.partners.adapters[from_bank].new_idempotency_key()
    release_at = hold.release_at(conn, services, user_id, payee, now)
    send_by = now + dt.timedelta(seconds=services.settings.send_start_s) if release_at is None else None
    transfer_id = "tr_" + uuid.uuid4().hex
    row = {
        "id": transfer_id, "user_id": user_id, "session_id": actor.session_id,
        "device_id": actor.device_id, "from_bank": from_bank, "payee": payee, "to_bank": to_bank,
        **account_numbers.transfer_values(services.keys, transfer_id, from_account, to_account), "amount": amount,
        "status": "pending" if release_at is None else "held", "idempotency_key": key, "day": day, "attempts": 0,
        "last_outcome": None, "created_at": now, "updated_at": now,
        "send_by": send_by, "send_started_at": None,
        # this process sends it; the reconciler looks at it once its send had its chance
        "claimed_by": WORKER_ID if release_at is None else None, "claimed_until": send_by, "next_check_at": send_by,
        # nobody waits in a conversation for a held transfer's outcome: it becomes a notice
        "release_at": release_at, "notify_settled": release_at is not None,
    }
    conn.execute(transfers.insert().values(**row))
    metrics.TRANSFERS.labels(row["status"]).inc()
    # the caller appends the `transfer.pending` event once its other rows are written: the
    # audit chain's head is the last lock every transaction takes, so none deadlocks
    return Transfer.from_mapping(row)
