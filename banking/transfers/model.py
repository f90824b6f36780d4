"""A transfer as couchbank records it, and the name this process claims transfers by."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any, Mapping

from adapters.base import TransferRequest
from banking.core.formats import aware, mask
from banking.platform.security import account_numbers
from banking.platform.security.keys import Keyring

#: this process, in a transfer's `claimed_by`: the sender's or the reconciler's claim on it
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Transfer:
    id: str
    user_id: str
    from_bank: str
    # the account numbers, sealed (`banking.platform.security.account_numbers`): opened only for the bank
    from_account_enc: bytes
    from_last4: str
    payee: str
    to_bank: str
    to_account_enc: bytes
    to_last4: str
    amount: int
    status: str
    idempotency_key: str
    day: str
    attempts: int
    last_outcome: str | None
    created_at: dt.datetime
    send_by: dt.datetime | None
    send_started_at: dt.datetime | None
    #: a held transfer's time to go out (CONTRACT §8, `banking.transfers.hold`)
    release_at: dt.datetime | None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> "Transfer":
        values = {name: row[name] for name in _NAMES}
        for name in ("created_at", "send_by", "send_started_at", "release_at"):
            values[name] = None if values[name] is None else aware(values[name])
        return cls(**values)

    def request(self, keys: Keyring, not_after: dt.datetime) -> TransferRequest:
        return TransferRequest(self.idempotency_key, account_numbers.transfer_number(keys, self, "from_account"),
                               self.to_bank, account_numbers.transfer_number(keys, self, "to_account"),
                               self.payee, self.amount, memo="couchbank", not_after=not_after)

    def audit_detail(self, **extra: Any) -> dict[str, Any]:
        return {"transfer_id": self.id, "amount": self.amount, "payee": self.payee,
                "from_bank": self.from_bank, "from_account": mask(self.from_last4),
                "to_bank": self.to_bank, "to_account": mask(self.to_last4), **extra}


_NAMES = [f.name for f in dataclasses.fields(Transfer)]
