"""Balance, transactions and accounts: read live from the partners through the port (the
balances are the banks' ledgers, never a copy in couchbank's database), shaped as the turn's
data; `banking.core.speech` words them."""
from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass
from typing import Any, Sequence

from adapters.base import PartnerError, Transaction
from banking.core import speech
from banking.core.dialog import Reply
from banking.core.formats import mask
from banking.platform.partners import CallLog
from banking.platform.pools import PoolFull, cancel_unstarted
from banking.platform.security import account_numbers
from banking.platform.services import Services

#: the transactions a card shows, newest first, across the user's banks
CARD_TRANSACTIONS = 10


@dataclass
class ReadResult:
    replies: list[Reply]
    card_lines: list[str]
    data: dict[str, Any]


class BankUnavailable(PartnerError):
    def __init__(self, bank: str) -> None:
        super().__init__(f"{bank} unavailable")
        self.bank = bank


def _accounts(rows: Sequence[Any], bank: str | None) -> list[Any]:
    return [a for a in rows if bank is None or a.bank == bank]


def perform(services: Services, calls: CallLog, task: str, bank: str | None,
            account_rows: Sequence[Any], locale: str, budget_s: float) -> ReadResult:
    chosen = _accounts(account_rows, bank)
    if task == "balance":
        return _balance(services, calls, chosen, locale, budget_s)
    if task == "transactions":
        return _transactions(services, calls, chosen, locale, budget_s)
    return _list_accounts(chosen, locale)


def _gather(services: Services, calls: CallLog, op: str, chosen: list[Any], fn: Any,
            budget_s: float) -> list[Any]:
    """Ask every account's bank at once and wait no longer than the turn's budget: a speaker
    gives up after about 8 seconds, whatever a partner does."""
    deadline = time.monotonic() + budget_s
    futures: list[concurrent.futures.Future[Any]] = []
    try:
        for account in chosen:
            try:
                futures.append(services.reads.submit(services.partners.call, calls, account.bank, op,
                                                     lambda adapter, n=account_numbers.account_number(
                                                         services.keys, account): fn(adapter, n)))
            except PoolFull as exc:
                raise BankUnavailable(account.bank) from exc
        results = []
        for account, future in zip(chosen, futures):
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except (PartnerError, concurrent.futures.TimeoutError, concurrent.futures.CancelledError) as exc:
                raise BankUnavailable(account.bank) from exc
        return results
    finally:
        # once the turn has its answer (or has given up) nobody waits for the rest
        cancel_unstarted(futures)


def _balance(services: Services, calls: CallLog, chosen: list[Any], locale: str,
             budget_s: float) -> ReadResult:
    found = _gather(services, calls, "balance", chosen, lambda a, n: a.balance(n), budget_s)
    items = [{"bank": account.bank, "name": account.name, "number_masked": mask(account.last4),
              "balance": balance.balance, "currency": "KRW"} for account, balance in zip(chosen, found)]
    return _result(speech.balances(items, locale), {"accounts": items})


def _transactions(services: Services, calls: CallLog, chosen: list[Any], locale: str,
                  budget_s: float) -> ReadResult:
    found: list[Transaction] = []
    pages = _gather(services, calls, "transactions", chosen,
                    lambda a, n: a.transactions(n, limit=CARD_TRANSACTIONS), budget_s)
    for page in pages:
        found.extend(page.transactions)
    found.sort(key=lambda t: t.at, reverse=True)
    found = found[:CARD_TRANSACTIONS]
    data = {"transactions": [{"bank": t.bank, "at": t.at.isoformat(), "amount": t.amount,
                              "counterparty": t.counterparty, "balance_after": t.balance_after} for t in found]}
    return _result(speech.transactions(found, locale), data)


def _list_accounts(chosen: list[Any], locale: str) -> ReadResult:
    items = [{"bank": a.bank, "name": a.name, "number_masked": mask(a.last4), "primary": bool(a.is_primary)}
             for a in chosen]
    return _result(speech.accounts(items, locale), {"accounts": items})


def _result(answer: speech.Answer, data: dict[str, Any]) -> ReadResult:
    return ReadResult([answer.reply], answer.card_lines, data)
