"""The two banks the sandboxes play: codes, written account forms, demo customers. Names
and account formats are the catalogue entries their adapters declare.

Account numbers are stored and reported (ledger, interbank link) in the written form of
CONTRACT section 2; each dialect converts to and from its own wire form.
"""
from __future__ import annotations

from dataclasses import dataclass

from adapters import kbank, woori
from adapters.base import BankInfo, digits_only, group_digits


@dataclass(frozen=True)
class Customer:
    number: str
    holder: str  # couchbank's user id (KFTC: user_seq_no, Woori: CUST_ID)
    holder_name: str
    product: str
    balance: int


@dataclass(frozen=True)
class Bank:
    info: BankInfo
    code: str  # KFTC standard bank code, which both dialects use for the payee's bank
    customers: tuple[Customer, ...]

    @property
    def id(self) -> str:
        return self.info.code

    @property
    def name(self) -> str:
        return self.info.name_ko

    @property
    def groups(self) -> tuple[int, ...]:
        return self.info.account_groups

    def written(self, number: str) -> str:
        return group_digits(digits_only(number), self.groups)


BANKS: dict[str, Bank] = {bank.id: bank for bank in (
    Bank(
        info=kbank.BANK, code="089",
        customers=(
            Customer("100-123-456789", "demo", "김하나", "듀얼K 입출금통장", 1_250_000),
            Customer("100-555-000111", "dad", "김영수", "듀얼K 입출금통장", 2_000_000),
        ),
    ),
    Bank(
        info=woori.BANK, code="020",
        customers=(
            Customer("1002-345-678901", "demo", "김하나", "우리 WON 통장", 3_400_000),
            Customer("1002-987-654321", "mom", "박미영", "우리 WON 통장", 1_500_000),
            Customer("1002-111-222333", "chulsoo", "김철수", "우리 WON 통장", 800_000),
        ),
    ),
)}


def bank_by_code(code: str) -> Bank | None:
    return next((b for b in BANKS.values() if b.code == code), None)


def peer_of(bank_id: str) -> str:
    return next(b for b in BANKS if b != bank_id)
