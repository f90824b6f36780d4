"""The conversation as a pure state machine: (state, parse, facts) -> decision.

Nothing here does I/O. The caller (banking.voice.turn) gathers the facts a decision needs (the
user's payees, accounts and limits, whether the session is verified or the user locked, and
the outcome of checking a spoken PIN or code), applies the decision's actions, and renders
its reply. The rules are CONTRACT §4.1; the safety rules of DESIGN §3 (dynamic linking,
same reply for a wrong PIN and a wrong code) are enforced here so that they can be tested
without a database.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from banking.core.nlu import Parse
from banking.core.payee_match import Payee, match

CheckResult = Literal["ok", "wrong", "locked"]

READ_TASKS = ("balance", "transactions", "accounts")
MAX_OTP_FAILURES = 3


@dataclass(frozen=True)
class State:
    locale: str = "ko-KR"
    task: str | None = None
    status: str = "in_progress"
    awaiting: str | None = None
    amount: int | None = None
    payee: str | None = None  # a registered payee's name, once resolved
    bank: str | None = None  # the user's own bank: source of a transfer, account of a read
    candidate: str | None = None  # a near-miss payee offered for a yes/no
    #: dynamic linking: the exact (amount, payee, source) that a correct PIN authorised
    authorised: str | None = None
    otp_failures: int = 0
    transfer_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        # every field is a str, an int or None: no deep copy (asdict's) needed
        return {f.name: getattr(self, f.name) for f in _STATE_FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "State":
        return cls(**{k: v for k, v in data.items() if k in _STATE_NAMES})

    @property
    def finished(self) -> bool:
        return self.status != "in_progress"


_STATE_FIELDS = dataclasses.fields(State)
_STATE_NAMES = frozenset(f.name for f in _STATE_FIELDS)


@dataclass(frozen=True)
class Limits:
    otp_threshold: int
    per_transfer: int
    daily: int
    used_today: int


@dataclass(frozen=True)
class Facts:
    payees: tuple[Payee, ...]
    banks: tuple[str, ...]  # banks where the user has an account
    primary_bank: str | None
    limits: Limits
    verified: bool = False
    locked: bool = False
    pin: CheckResult | None = None  # outcome of checking this turn's digits as a PIN
    otp: CheckResult | None = None  # ... as a one-time code
    has_otp: bool = True


@dataclass(frozen=True)
class Reply:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    state: State
    replies: tuple[Reply, ...]
    #: "read" (fetch and answer the task), "transfer" (execute the authorised transfer),
    #: "verify_session" (a correct PIN verifies the session for reads)
    actions: tuple[str, ...] = ()

    @property
    def intent(self) -> str:
        return self.state.task or ("cancel" if self.state.status == "cancelled" else "unknown")


def authorisation(state: State) -> str:
    """The fingerprint a PIN authorises; any change of amount, payee or source changes it."""
    return hashlib.sha256(f"{state.amount}|{state.payee}|{state.bank}".encode()).hexdigest()[:32]


def needs_check(state: State, parse: Parse) -> Literal["pin", "otp"] | None:
    """Which factor the caller must check before deciding: only digits spoken while the
    conversation awaits that factor are ever checked (and counted)."""
    if state.finished or parse.digits is None or parse.intent == "cancel":
        return None
    if state.awaiting == "pin":
        return "pin"
    if state.awaiting == "otp":
        return "otp"
    return None


def concerns_transfer(state: State, parse: Parse) -> bool:
    """Whether `decide` may consult the payees and today's usage (`Facts.payees`,
    `Limits.used_today`): only a conversation that is or becomes a transfer does, so the
    caller may leave them empty otherwise and spare a balance turn the reads."""
    return state.task == "transfer" or (state.task is None and parse.intent == "transfer")


def _done(state: State, status: str, *replies: Reply, actions: tuple[str, ...] = ()) -> Decision:
    return Decision(dataclasses.replace(state, status=status, awaiting=None, candidate=None), replies, actions)


def _ask(state: State, awaiting: str, *replies: Reply) -> Decision:
    return Decision(dataclasses.replace(state, status="in_progress", awaiting=awaiting), replies)


def decide(state: State, parse: Parse, facts: Facts) -> Decision:
    if parse.intent == "cancel":
        return _done(state, "cancelled", Reply("cancelled"))
    if state.task is None:
        return _start(state, parse, facts)
    if state.task == "transfer":
        return _continue_transfer(state, parse, facts)
    return _continue_read(state, parse, facts)


def _start(state: State, parse: Parse, facts: Facts) -> Decision:
    intent = parse.intent
    if intent in READ_TASKS:
        state = dataclasses.replace(state, task=intent, bank=_own_bank(parse.slots.bank, facts))
        return _read(state, facts)
    if intent == "transfer":
        state = dataclasses.replace(state, task="transfer")
        return _continue_transfer(state, parse, facts)
    if intent == "help":
        return _done(state, "completed", Reply("help"))
    return _done(state, "completed", Reply("not_understood"))


def _own_bank(bank: str | None, facts: Facts) -> str | None:
    return bank if bank in facts.banks else None


# -- reads: balance, transactions, accounts -------------------------------------------------

def _read(state: State, facts: Facts) -> Decision:
    if facts.locked:
        return _done(state, "rejected", Reply("locked"))
    if facts.verified:
        return _done(state, "completed", actions=("read",))
    return _ask(state, "pin", Reply("ask_pin_read"))


def _continue_read(state: State, parse: Parse, facts: Facts) -> Decision:
    if state.awaiting != "pin":
        return _read(state, facts)
    if facts.pin == "locked" or facts.locked:
        return _done(state, "rejected", Reply("locked"))
    if facts.pin == "ok":
        return _done(state, "completed", actions=("verify_session", "read"))
    if facts.pin == "wrong":
        return _ask(state, "pin", Reply("wrong_code"))
    if parse.intent in READ_TASKS and parse.intent != state.task:
        # the person changed the question before giving the PIN
        return _read(dataclasses.replace(state, task=parse.intent, bank=_own_bank(parse.slots.bank, facts)), facts)
    return _ask(state, "pin", Reply("ask_pin_read"))


# -- transfers ------------------------------------------------------------------------------

def _continue_transfer(state: State, parse: Parse, facts: Facts) -> Decision:
    if state.awaiting == "pin" and facts.pin is not None:
        return _after_pin(state, facts)
    if state.awaiting == "otp" and facts.otp is not None:
        return _after_otp(state, facts)
    if parse.currency is not None:
        return _ask(dataclasses.replace(state, amount=None, authorised=None), "amount",
                    Reply("krw_only", {"currency": parse.currency}))
    changed, state, notes = _merge_slots(state, parse, facts)
    if state.candidate is not None and not changed:
        return _answer_candidate(state, parse, facts)
    if changed:
        # dynamic linking: a new amount, payee or source voids whatever was authorised
        state = dataclasses.replace(state, authorised=None, otp_failures=0)
    return _advance(state, facts, notes)


def _merge_slots(state: State, parse: Parse, facts: Facts) -> tuple[bool, State, tuple[Reply, ...]]:
    slots = parse.slots
    updates: dict[str, Any] = {}
    notes: tuple[Reply, ...] = ()
    if slots.amount is not None and slots.amount != state.amount:
        updates["amount"] = slots.amount
    if slots.bank is not None and slots.bank != state.bank:
        if slots.bank in facts.banks:
            updates["bank"] = slots.bank
        else:
            notes += (Reply("no_account_at", {"bank": slots.bank}),)
    if slots.payee is not None:
        found = match(slots.payee, facts.payees)
        if found.payee is not None:
            if found.payee.name != state.payee:
                updates["payee"] = found.payee.name
            updates["candidate"] = None
        elif found.near_miss is not None:
            updates.update(payee=None, candidate=found.near_miss.name)
        else:
            return True, dataclasses.replace(state, **updates), (Reply("unknown_payee", {"spoken": slots.payee}),)
    return bool(updates), dataclasses.replace(state, **updates), notes


def _answer_candidate(state: State, parse: Parse, facts: Facts) -> Decision:
    if parse.yes_no is True:
        return _advance(dataclasses.replace(state, payee=state.candidate, candidate=None), facts, ())
    if parse.yes_no is False:
        return _ask(dataclasses.replace(state, candidate=None), "payee", Reply("ask_payee"))
    return _ask(state, "payee", Reply("confirm_payee", {"payee": state.candidate}))


def _advance(state: State, facts: Facts, notes: tuple[Reply, ...]) -> Decision:
    """Ask for the next missing slot, refuse what breaks a rule, or read back and await the
    PIN."""
    if any(n.key == "unknown_payee" for n in notes):
        return _done(state, "rejected", *notes)
    if state.candidate is not None:
        return _ask(state, "payee", *notes, Reply("confirm_payee", {"payee": state.candidate}))
    if state.payee is None:
        return _ask(state, "payee", *notes, Reply("ask_payee"))
    if state.amount is None or state.amount <= 0:
        return _ask(dataclasses.replace(state, amount=None), "amount", *notes, Reply("ask_amount"))
    if state.bank is None:
        if facts.primary_bank is None:
            return _ask(state, "bank", *notes, Reply("ask_bank"))
        state = dataclasses.replace(state, bank=facts.primary_bank)
    limits = facts.limits
    if state.amount > limits.per_transfer:
        return _done(state, "rejected", *notes, Reply("over_per_transfer", {"limit": limits.per_transfer}))
    if limits.used_today + state.amount > limits.daily:
        return _done(state, "rejected", *notes, Reply("over_daily", {"limit": limits.daily,
                                                                    "left": max(0, limits.daily - limits.used_today)}))
    if facts.locked:
        return _done(state, "rejected", *notes, Reply("locked"))
    if state.amount >= limits.otp_threshold and not facts.has_otp:
        return _done(state, "rejected", *notes, Reply("otp_not_enrolled"))
    return _ask(state, "pin", *notes, Reply("read_back", _read_back_params(state, facts)))


def _read_back_params(state: State, facts: Facts) -> dict[str, Any]:
    payee = next(p for p in facts.payees if p.name == state.payee)
    return {"amount": state.amount, "payee": payee.name, "payee_bank": payee.bank,
            "last4": payee.last4, "source_bank": state.bank}


def _after_pin(state: State, facts: Facts) -> Decision:
    if facts.pin == "locked" or facts.locked:
        return _done(state, "rejected", Reply("locked"))
    if facts.pin == "wrong":
        return _ask(state, "pin", Reply("wrong_code"))
    state = dataclasses.replace(state, authorised=authorisation(state))
    if state.amount is not None and state.amount >= facts.limits.otp_threshold:
        return _ask(state, "otp", Reply("ask_otp"))
    return _done(state, "completed", actions=("verify_session", "transfer"))


def _after_otp(state: State, facts: Facts) -> Decision:
    if state.authorised != authorisation(state):
        # cannot happen through decide(); refuse rather than move money on a stale PIN
        return _ask(dataclasses.replace(state, authorised=None), "pin", Reply("read_back_again"))
    if facts.otp == "locked" or facts.locked:
        return _done(state, "rejected", Reply("locked"))
    if facts.otp == "ok":
        return _done(state, "completed", actions=("verify_session", "transfer"))
    failures = state.otp_failures + 1
    state = dataclasses.replace(state, otp_failures=failures)
    if failures >= MAX_OTP_FAILURES:
        return _done(state, "rejected", Reply("too_many_codes"))
    return _ask(state, "otp", Reply("wrong_code"))
