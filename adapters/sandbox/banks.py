"""The banks the sandboxes play, found like the adapters through entry points: each dialect
module is declared under `couchbank.sandboxes` with its bank's code and declares `BANK` (its
catalogue entry and demo customers), `SCHEMA`, `ERRORS` and `blueprint`. A partner's own
package can so ship its sandbox next to its adapter (CONTRACT §10).

Account numbers are stored and reported (ledger, interbank link) in the written form of
CONTRACT section 2; each dialect converts to and from its own wire form. Banks address one
another by their KFTC standard code (`BankInfo.clearing_code`).
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol

from adapters.base import BankInfo, digits_only, group_digits

if TYPE_CHECKING:
    from flask import Blueprint

    from adapters.sandbox.state import DialectErrors

GROUP = "couchbank.sandboxes"
log = logging.getLogger(__name__)


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
    customers: tuple[Customer, ...]

    @property
    def id(self) -> str:
        return self.info.code

    @property
    def code(self) -> str:
        """The KFTC standard code, by which the dialects name a payee's bank."""
        return self.info.clearing_code or ""

    @property
    def name(self) -> str:
        return self.info.name_ko

    @property
    def groups(self) -> tuple[int, ...]:
        return self.info.account_groups

    def written(self, number: str) -> str:
        return group_digits(digits_only(number), self.groups)


class Dialect(Protocol):
    """What a sandbox dialect module declares."""

    BANK: Bank
    SCHEMA: str
    ERRORS: DialectErrors
    blueprint: Blueprint


@functools.cache
def dialects() -> dict[str, Dialect]:
    """Every installed sandbox dialect, by bank code; a broken one is logged and skipped."""
    found: dict[str, Dialect] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in found:
            continue  # the same distribution seen twice on sys.path
        try:
            module = ep.load()
        except Exception:  # any import-time failure of a third-party plugin
            log.warning("sandbox dialect %r could not be loaded; skipped", ep.name, exc_info=True)
            continue
        bank = getattr(module, "BANK", None)
        if not (isinstance(bank, Bank) and bank.id == ep.name and bank.code):
            log.warning("sandbox dialect %r declares no BANK with that code and a clearing code; skipped", ep.name)
            continue
        found[ep.name] = module
    return found


def installed() -> dict[str, Bank]:
    return {code: dialect.BANK for code, dialect in dialects().items()}


def bank_by_code(code: str) -> Bank | None:
    """The bank with KFTC standard code `code`, among the installed sandboxes."""
    return next((b for b in installed().values() if b.code == code), None)
