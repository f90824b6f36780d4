"""An in-process partner: the port implemented over a dictionary. Unit tests and the
benchmarks use it so that only couchbank's own work is measured; it honours the port's
promises (dedup by key, no negative balances, status inquiry)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
import uuid

from adapters.base import (
    Account,
    AccountUnavailable,
    Balance,
    DefinitelyFailed,
    InsufficientFunds,
    InvalidRequest,
    PartnerAdapter,
    Transaction,
    TransactionPage,
    TransferRequest,
    TransferResult,
)

#: (bank, number, name, holder, balance): the demo household of CONTRACT §2
DEMO_LEDGER = (
    ("kbank", "100-123-456789", "K-Bank 입출금통장", "demo", 1_250_000),
    ("kbank", "100-555-000111", "아빠 통장", "dad", 800_000),
    ("woori", "1002-345-678901", "우리 WON 통장", "demo", 3_400_000),
    ("woori", "1002-987-654321", "엄마 통장", "mom", 2_000_000),
    ("woori", "1002-111-222333", "김철수 통장", "chulsoo", 500_000),
    ("mirae", "5012-3456-78", "미래에셋 CMA-RP", "demo", 5_000_000),
    ("mirae", "5098-7654-32", "미래에셋 CMA-RP", "sujin", 700_000),
)
#: holder -> the name the bank has for them, for the recipient check (CONTRACT §10)
DEMO_HOLDER_NAMES = {"demo": "김하나", "dad": "김영수", "mom": "박미영", "chulsoo": "김철수", "sujin": "이수진"}


class MemoryAdapter(PartnerAdapter):
    def __init__(self, name: str, ledger: tuple[tuple[str, str, str, str, int], ...] = DEMO_LEDGER,
                 holder_names: dict[str, str] | None = None) -> None:
        self.name = name
        self._holder_names = DEMO_HOLDER_NAMES if holder_names is None else holder_names
        self._lock = threading.Lock()
        self._accounts = {n: Account(b, n, nm, h) for b, n, nm, h, _ in ledger if b == name}
        self._balances = {n: bal for b, n, _, _, bal in ledger if b == name}
        self._history: dict[str, list[Transaction]] = {n: [] for n in self._accounts}
        self._transfers: dict[str, tuple[TransferRequest, TransferResult]] = {}
        self._seq = itertools.count(1)

    def new_idempotency_key(self) -> str:
        return uuid.uuid4().hex

    def accounts(self, holder: str) -> list[Account]:
        return [a for a in self._accounts.values() if a.holder == holder]

    def balance(self, account: str) -> Balance:
        if account not in self._balances:
            raise AccountUnavailable("unknown account")
        return Balance(self.name, account, self._balances[account])

    def transactions(self, account: str, *, limit: int = 20, cursor: str | None = None) -> TransactionPage:
        if account not in self._history:
            raise AccountUnavailable("unknown account")
        newest_first = self._history[account][::-1]
        start = int(cursor or 0)
        page = newest_first[start:start + limit]
        more = start + limit < len(newest_first)
        return TransactionPage(page, str(start + limit) if more else None)

    def transfer(self, request: TransferRequest) -> TransferResult:
        with self._lock:
            # each send may carry its own deadline; the key names the rest
            deadline = request.not_after
            request = dataclasses.replace(request, not_after=None) if deadline else request
            if request.idempotency_key in self._transfers:
                original, result = self._transfers[request.idempotency_key]
                if original != request:
                    raise InvalidRequest("idempotency key reused with another body")
                return result
            if request.from_account not in self._balances:
                raise AccountUnavailable("unknown source account")
            if request.to_bank == self.name and request.to_account not in self._balances:
                raise AccountUnavailable("unknown payee account")
            if request.amount <= 0:
                raise InvalidRequest("amount must be positive")
            if deadline is not None and dt.datetime.now(dt.UTC) > deadline:
                self._transfers[request.idempotency_key] = (
                    request, TransferResult(request.idempotency_key, "failed", reason="expired"))
                raise DefinitelyFailed("the request arrived after its not_after")
            if self._balances[request.from_account] < request.amount:
                raise InsufficientFunds("insufficient funds")
            now = dt.datetime.now(dt.UTC)
            self._post(request.from_account, -request.amount, request.to_name, now)
            if request.to_bank == self.name:
                self._post(request.to_account, request.amount, self._accounts[request.from_account].name, now)
            result = TransferResult(request.idempotency_key, "completed", f"M{next(self._seq):08d}")
            self._transfers[request.idempotency_key] = (request, result)
            return result

    def _post(self, account: str, amount: int, counterparty: str, at: dt.datetime) -> None:
        self._balances[account] += amount
        self._history[account].append(Transaction(self.name, at, amount, counterparty, self._balances[account]))

    def holder_name(self, account: str) -> str:
        found = self._accounts.get(account)
        if found is None:
            raise AccountUnavailable("unknown account")
        return self._holder_names.get(found.holder, found.holder)

    def transfer_status(self, idempotency_key: str) -> TransferResult:
        with self._lock:
            found = self._transfers.get(idempotency_key)
        return found[1] if found else TransferResult(idempotency_key, "not_found")
