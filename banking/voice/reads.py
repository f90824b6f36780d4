"""Balance, transactions and accounts: read live from the partners through the port (the
balances are the banks' ledgers, never a copy in couchbank's database), shaped as the turn's
data; `banking.core.speech` words them."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from adapters.base import PartnerError, Transaction
from banking.core import speech
from banking.core.dialog import SPOKEN_TRANSACTIONS, Reply, State
from banking.core.formats import KST, mask
from banking.core.payee_match import Payee
from banking.platform.partners import CallLog
from banking.platform.pools import PoolFull, cancel_unstarted
from banking.platform.security import account_numbers
from banking.platform.services import Services

#: a page asked of a bank, and how many a listing walks at most per account
PAGE = 20
MAX_PER_ACCOUNT = 200


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


def perform(services: Services, calls: CallLog, state: State, account_rows: Sequence[Any],
            payees: Sequence[Payee], holders: Mapping[str, str], now: dt.datetime, budget_s: float) -> ReadResult:
    """The read `state` asks for: its task, bank, payee (a filter), page (`shown`) and whether
    transactions are asked as the month's totals. `holders`: each payee's account holder, by
    payee name, as the recipient check enrolled them."""
    chosen = _accounts(account_rows, state.bank)
    locale = state.locale
    if state.task == "balance":
        return _balance(services, calls, chosen, locale, budget_s)
    if state.task == "transactions":
        found = _walk_all(services, calls, chosen, budget_s)
        if state.summary:
            return _summary(found, now, locale)
        return _transactions(found, state, payees, holders)
    if state.task == "payees":
        return _list_payees(payees, state.payee, locale)
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


def _walk(adapter: Any, number: str) -> list[Transaction]:
    """An account's transactions, newest first, following the bank's pages."""
    out: list[Transaction] = []
    cursor: str | None = None
    while len(out) < MAX_PER_ACCOUNT:
        page = adapter.transactions(number, limit=PAGE, cursor=cursor)
        out.extend(page.transactions)
        cursor = page.next_cursor
        if not cursor or not page.transactions:
            break
    return out


def _walk_all(services: Services, calls: CallLog, chosen: list[Any], budget_s: float) -> list[Transaction]:
    """Every account's transactions, merged newest first (date order across the banks)."""
    found = [t for per_account in _gather(services, calls, "transactions", chosen, _walk, budget_s) for t in per_account]
    found.sort(key=lambda t: t.at, reverse=True)
    return found


def _names(payee: Payee, holders: Mapping[str, str]) -> set[str]:
    """The names a payee's transactions may carry: as registered, their aliases, and the
    account holder's (CONTRACT §10)."""
    return {n.casefold() for n in (payee.name, *payee.aliases, holders.get(payee.name)) if n}


def _transactions(found: list[Transaction], state: State, payees: Sequence[Payee],
                  holders: Mapping[str, str]) -> ReadResult:
    """The page `state.shown` starts, three spoken, counterparties named as the person calls
    them (`엄마`, not the holder's name)."""
    called = {name: p.name for p in payees for name in _names(p, holders)}
    if state.payee is not None:
        wanted = next((_names(p, holders) for p in payees if p.name == state.payee), {state.payee.casefold()})
        found = [t for t in found if t.counterparty.casefold() in wanted]
    page = found[state.shown:state.shown + SPOKEN_TRANSACTIONS]
    named = [speech.Listed(t, called.get(t.counterparty.casefold(), t.counterparty)) for t in page]
    data = {"transactions": [{"bank": t.bank, "at": t.at.isoformat(), "amount": t.amount,
                              "counterparty": t.counterparty, "balance_after": t.balance_after} for t in page]}
    rest = max(0, len(found) - state.shown - len(page))
    return _result(speech.transactions(named, rest, state.shown > 0, state.payee, state.locale), data)


def _summary(found: list[Transaction], now: dt.datetime, locale: str) -> ReadResult:
    """The Korean calendar month's money out and in, whole KRW, both positive."""
    today = now.astimezone(KST).date()
    first = today.replace(day=1)
    until = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    month = [t for t in found if first <= t.at.astimezone(KST).date() <= until]
    spent = sum(-t.amount for t in month if t.amount < 0)
    received = sum(t.amount for t in month if t.amount > 0)
    summary = {"spent": spent, "received": received, "from": first.isoformat(), "until": until.isoformat()}
    return _result(speech.month_summary(spent, received, first.month, locale), {"summary": summary})


def _list_payees(payees: Sequence[Payee], only: str | None, locale: str) -> ReadResult:
    chosen = [p for p in payees if only is None or p.name == only]
    items = [{"name": p.name, "bank": p.bank, "number_masked": mask(p.last4)} for p in chosen]
    return _result(speech.payees(items, only, locale), {"payees": items})


def _list_accounts(chosen: list[Any], locale: str) -> ReadResult:
    items = [{"bank": a.bank, "name": a.name, "number_masked": mask(a.last4), "primary": bool(a.is_primary)}
             for a in chosen]
    return _result(speech.accounts(items, locale), {"accounts": items})


def _result(answer: speech.Answer, data: dict[str, Any]) -> ReadResult:
    return ReadResult([answer.reply, *answer.more], answer.card_lines, data)
