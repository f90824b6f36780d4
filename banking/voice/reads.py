"""Balance, transactions and accounts: read live from the partners through the port (the
balances are the banks' ledgers, never a copy in couchbank's database)."""
from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass
from typing import Any, Sequence

from adapters.base import PartnerError, Transaction
from banking.core import speech
from banking.core.dialog import Reply, mask
from banking.platform.partners import CallLog
from banking.platform.pools import PoolFull, cancel_unstarted
from banking.platform.security import account_numbers
from banking.platform.services import Services

SPOKEN_TRANSACTIONS = 3
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
    items = []
    found = _gather(services, calls, "balance", chosen, lambda a, n: a.balance(n), budget_s)
    for account, balance in zip(chosen, found):
        items.append({"bank": account.bank, "name": account.name, "number_masked": mask(account.last4),
                      "balance": balance.balance, "currency": "KRW"})
    lines = [f"{speech.bank_name(i['bank'], locale)} {i['number_masked']}: {speech.won(i['balance'], locale).text}"
             for i in items]
    if len(items) == 1:
        reply = Reply("balance_one", {"bank": items[0]["bank"], "balance": items[0]["balance"]})
    else:
        parts = [speech.Spoken(f"{speech.bank_name(i['bank'], locale)} {speech.won(i['balance'], locale).text}",
                               f"{speech.bank_name(i['bank'], locale)} {speech.won(i['balance'], locale).ssml}")
                 for i in items]
        reply = Reply("balance_many", {"items": speech.join(parts, locale)})
    return ReadResult([reply], lines, {"accounts": items})


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
    if not found:
        return ReadResult([Reply("no_transactions")], [], data)
    lines = [_line(t, locale).text for t in found]
    spoken = found[:SPOKEN_TRANSACTIONS]
    items = speech.join([_line(t, locale) for t in spoken], locale)
    reply = Reply("transactions", {"count": len(found), "spoken": len(spoken), "items": items})
    return ReadResult([reply], lines, data)


def _line(t: Transaction, locale: str) -> speech.Spoken:
    amount = speech.won(abs(t.amount), locale)
    when = speech.when(t.at, locale)
    if locale == "ko-KR":
        kind = "입금" if t.amount > 0 else "출금"
        return speech.Spoken(f"{when} {t.counterparty} {amount.text} {kind}",
                             f"{when} {speech.escape(t.counterparty)} {amount.ssml} {kind}")
    kind = "from" if t.amount > 0 else "to"
    verb = "received" if t.amount > 0 else "sent"
    return speech.Spoken(f"{when}: {verb} {amount.text} {kind} {t.counterparty}",
                         f"{when}: {verb} {amount.ssml} {kind} {speech.escape(t.counterparty)}")


def _list_accounts(chosen: list[Any], locale: str) -> ReadResult:
    items = [{"bank": a.bank, "name": a.name, "number_masked": mask(a.last4), "primary": bool(a.is_primary)}
             for a in chosen]
    primary = "주 계좌" if locale == "ko-KR" else "primary"
    spoken = [speech.Spoken(f"{speech.bank_name(i['bank'], locale)} {i['name']}" + (f" ({primary})" if i["primary"] else ""),
                            speech.escape(f"{speech.bank_name(i['bank'], locale)} {i['name']}"))
              for i in items]
    lines = [f"{speech.bank_name(i['bank'], locale)} {i['name']} {i['number_masked']}" + (f" · {primary}" if i["primary"] else "")
             for i in items]
    return ReadResult([Reply("accounts", {"items": speech.join(spoken, locale)})], lines, {"accounts": items})
