"""Transfers that move money exactly once: written down as pending with the daily limit taken
(`reservation`, `limits`), sent once and settled (`send`, which states the exactly-once rule),
settled later by asking the bank when its answer was unknown (`reconcile`), and listed for
the user (`queries`, `api`). `model` is the transfer as recorded. Held transfers (CONTRACT
§8): the rule (`hold`), the scheduler (`release`), calling one back (`cancel`) and the notices
they make (`notify`).

Other features use what this package exports below; its own modules import one another."""
from __future__ import annotations

from banking.transfers.cancel import cancel, recall_facts
from banking.transfers.limits import used_today
from banking.transfers.model import Transfer
from banking.transfers.notify import follow
from banking.transfers.reconcile import reconcile_once
from banking.transfers.release import release_due
from banking.transfers.reservation import reserve
from banking.transfers.send import call_events, execute

__all__ = ["Transfer", "call_events", "cancel", "execute", "follow", "recall_facts", "reconcile_once",
           "release_due", "reserve", "used_today"]
