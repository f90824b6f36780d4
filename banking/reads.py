"""Balance, transactions and accounts: read live from the partners through the port (the
balances are the banks' ledgers, never a copy in couchbank's database)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from adapters.base import PartnerError, Transaction
from banking import speech
from banking.dialog import Reply, mask
from banking.partners import PartnerCall
from banking.services import Services

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


def perform(services: Services, sink: list[PartnerCall], task: str, bank: str | None,
            account_rows: Sequence[Any], locale: str) -> ReadResult:
    chosen = _accounts(account_rows, bank)
    if task == "balance":
        return _balance(services, sink, chosen, locale)
    if task == "transactions":
        return _transactions(services, sink, chosen, locale)
    return _list_accounts(chosen, locale)


def _call(services: Services, sink: list[PartnerCall], bank: str, op: str, fn: Any) -> Any:
    try:
        return services.partners.call(sink, bank, op, fn)
    except PartnerError as exc:
        raise BankUnavailable(bank) from exc


def _balance(services: Services, sink: list[PartnerCall], chosen: list[Any], locale: str) -> ReadResult:
    items = []
    for account in chosen:
        balance = _call(services, sink, account.bank, "balance", lambda a, n=account.number: a.balance(n))
        items.append({"bank": account.bank, "name": account.name, "number_masked": mask(account.number),
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


def _transactions(services: Services, sink: list[PartnerCall], chosen: list[Any], locale: str) -> ReadResult:
    found: list[Transaction] = []
    for account in chosen:
        page = _call(services, sink, account.bank, "transactions",
                     lambda a, n=account.number: a.transactions(n, limit=CARD_TRANSACTIONS))
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
    items = [{"bank": a.bank, "name": a.name, "number_masked": mask(a.number), "primary": bool(a.is_primary)}
             for a in chosen]
    primary = "주 계좌" if locale == "ko-KR" else "primary"
    spoken = [speech.Spoken(f"{speech.bank_name(i['bank'], locale)} {i['name']}" + (f" ({primary})" if i["primary"] else ""),
                            speech.escape(f"{speech.bank_name(i['bank'], locale)} {i['name']}"))
              for i in items]
    lines = [f"{speech.bank_name(i['bank'], locale)} {i['name']} {i['number_masked']}" + (f" · {primary}" if i["primary"] else "")
             for i in items]
    return ReadResult([Reply("accounts", {"items": speech.join(spoken, locale)})], lines, {"accounts": items})
