"""The port every partner bank adapter implements.

couchbank's product code (`banking/`) knows partners only through this module: the
abstract `PartnerAdapter`, its typed results, and the error hierarchy that tells a
transfer that *definitely failed* apart from one whose *outcome is unknown* and a
request that should be *retried later*. That split is what makes exactly-once
possible: only a definite answer may end a transfer; an unknown one is settled by
`transfer_status`, never by sending again.
"""
from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal

TransferState = Literal["completed", "failed", "processing", "not_found"]


@dataclass(frozen=True)
class Sandbox:
    """A partner's own stand-in that `python app.py` starts next to the service:
    `python -m <module> <code> --host H --port P --data-dir D`, on the service's port plus
    `port_offset`, answering the operator API (CONTRACT §5) under `/_sandbox/`."""

    module: str
    port_offset: int


@dataclass(frozen=True)
class BankInfo:
    """A partner bank's entry in couchbank's catalogue (CONTRACT §10). The registry reads it
    from the adapter class, so speech, language understanding, schemas, enrolment and
    readiness know the bank without an adapter being constructed."""

    #: short lowercase code: the entry-point name, `slots.bank`, `COUCHBANK_<CODE>_URL`
    code: str
    name_ko: str
    name_en: str
    #: what people call the bank, Korean and English, as the language understanding hears
    #: it: a space stands for an optional space and a hyphen for an optional hyphen with
    #: optional spaces (`k-bank` hears `kbank`, `k bank`, `K - Bank`); letters in any case
    spoken: tuple[str, ...]
    #: the written account number's digit groups, e.g. (3, 3, 6) for `100-123-456789`
    account_groups: tuple[int, ...]
    sandbox: Sandbox | None = None
    #: the KFTC standard bank code (`089`, `020`, `238`) by which other banks address this one
    #: as a payee's bank: the partners' wire formats carry it, never couchbank's code
    clearing_code: str | None = None
    #: the fields of the partner's credentials, each also `COUCHBANK_<CODE>_<FIELD>` in the
    #: environment (`adapters.credentials`); None: the built-in banks' own, else a client id
    #: and secret
    credentials: tuple[str, ...] | None = None

    @property
    def account_digits(self) -> int:
        return sum(self.account_groups)


@dataclass(frozen=True)
class Account:
    bank: str
    number: str
    name: str
    holder: str


@dataclass(frozen=True)
class Balance:
    bank: str
    number: str
    balance: int
    currency: str = "KRW"


@dataclass(frozen=True)
class Transaction:
    bank: str
    at: dt.datetime  # timezone-aware
    amount: int  # signed KRW: negative for money out
    counterparty: str
    balance_after: int


@dataclass(frozen=True)
class TransactionPage:
    transactions: list[Transaction]
    next_cursor: str | None = None


@dataclass(frozen=True)
class TransferRequest:
    idempotency_key: str
    from_account: str
    to_bank: str
    to_account: str
    to_name: str
    amount: int
    memo: str = ""
    #: the bank must not execute the transfer after this instant: one that reaches it later
    #: is refused ("failed", never posted). This is what lets couchbank believe a "not found"
    #: once the instant has passed (`banking.transfers.send`, the exactly-once rule). Each send
    #: of the same key may carry a later one; it is not part of what the key deduplicates.
    not_after: dt.datetime | None = None


@dataclass(frozen=True)
class TransferResult:
    """What the bank says about one transfer, identified by the caller's key."""

    idempotency_key: str
    state: TransferState
    bank_reference: str | None = None
    reason: str | None = None


class PartnerError(Exception):
    """Base of every error an adapter raises. Messages never carry secrets."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class DefinitelyFailed(PartnerError):
    """The bank refused and nothing was (or ever will be) posted."""


class InsufficientFunds(DefinitelyFailed):
    pass


class AccountUnavailable(DefinitelyFailed):
    """Unknown or closed account, at the source or the payee."""


class InvalidRequest(DefinitelyFailed):
    """The bank rejected the request's shape or values (including a reused key
    with a different body)."""


class AuthRefused(DefinitelyFailed):
    pass


class OutcomeUnknown(PartnerError):
    """Timeout, reset connection, 5xx or a "processing" answer: the transfer may or
    may not have been posted. Ask `transfer_status`; never resend with a new key."""


class RetryLater(PartnerError):
    """Throttled (429). Nothing was done; the same request may be sent again after
    `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PartnerAdapter(abc.ABC):
    """One partner bank. Implementations are found through the `couchbank.adapters`
    entry-point group and constructed as
    `cls(base_url=..., timeout_s=..., credentials=...)` (see `adapters.registry`)."""

    #: the bank this adapter speaks to; its `code` is the entry-point name
    bank: ClassVar[BankInfo]
    #: short lowercase bank code, e.g. "kbank"; also the entry-point name
    name: str
    #: the partner's base URL, for reachability probes; None for an in-process adapter
    endpoint: str | None = None

    @abc.abstractmethod
    def new_idempotency_key(self) -> str:
        """A fresh key in the bank's own format, stored by the caller before `transfer`."""

    @abc.abstractmethod
    def accounts(self, holder: str) -> list[Account]:
        """The accounts the bank holds for `holder` (couchbank's user id)."""

    @abc.abstractmethod
    def balance(self, account: str) -> Balance:
        ...

    @abc.abstractmethod
    def transactions(
        self, account: str, *, limit: int = 20, cursor: str | None = None
    ) -> TransactionPage:
        """Newest first; `cursor` is the previous page's `next_cursor`."""

    @abc.abstractmethod
    def transfer(self, request: TransferRequest) -> TransferResult:
        """Send once, telling the bank `request.not_after` in its dialect. Returns a
        definite result or raises DefinitelyFailed, OutcomeUnknown or RetryLater. A repeat
        with the same key never posts twice."""

    @abc.abstractmethod
    def transfer_status(self, idempotency_key: str) -> TransferResult:
        """Ask the bank what became of the transfer sent with this key."""

    @abc.abstractmethod
    def holder_name(self, account: str) -> str:
        """The recipient check (오픈뱅킹 수취조회): the name of whoever holds `account` at
        this bank, as the bank has it. Raises AccountUnavailable when there is no such open
        account, OutcomeUnknown or RetryLater when the bank could not say. Changes nothing,
        so it may be asked again."""

    def close(self) -> None:
        """Release pooled connections."""



# --- helpers shared by adapters and sandboxes (added with the adapter layer) ---

def digits_only(number: str) -> str:
    """An account number as the banks' wire formats carry it: digits, no hyphens."""
    return "".join(ch for ch in number if ch.isdigit())


def group_digits(digits: str, groups: tuple[int, ...]) -> str:
    """Digits back in a bank's written form, e.g. (3, 3, 6) -> `100-123-456789`.
    Numbers that do not fit the bank's grouping are left as they came."""
    if len(digits) != sum(groups) or not digits.isdigit():
        return digits
    parts, start = [], 0
    for size in groups:
        parts.append(digits[start:start + size])
        start += size
    return "-".join(parts)


def mask_account(number: str) -> str:
    """The only form of an account number fit for messages and logs (CONTRACT 4.2)."""
    return "***-***-" + digits_only(number)[-4:]
