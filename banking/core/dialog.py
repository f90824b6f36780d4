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
import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from banking.core.nlu import Parse
from banking.core.payee_match import Payee, match

CheckResult = Literal["ok", "wrong", "locked"]

READ_TASKS = ("balance", "transactions", "accounts", "payees")
#: how many transactions one reply speaks (CONTRACT §9); `더 들려줘` speaks the next as many
SPOKEN_TRANSACTIONS = 3
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
    #: the held transfer this conversation is calling back (CONTRACT §8)
    recall: str | None = None
    #: transactions already spoken in this conversation (`더 들려줘` goes on from here)
    shown: int = 0
    #: transactions asked as the month's totals rather than a list
    summary: bool = False
    #: the recipient check (CONTRACT §10): the payee whose account holder the payee's bank
    #: confirmed in this conversation, and that holder's name as it may be said (masked)
    checked_payee: str | None = None
    holder: str | None = None

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
class Recall:
    """The transfer a request to cancel one concerns: the newest held one, else the newest."""

    transfer_id: str
    status: str
    amount: int
    payee: str
    bank: str
    release_at: dt.datetime | None


@dataclass(frozen=True)
class RecipientCheck:
    """What the payee's bank said when asked who holds the payee's account (오픈뱅킹 수취조회):
    `holder` is the name it gave, None when it could not say (`failed`: a timeout, a 5xx) or
    has no such account; `registered` is the holder enrolled with the payee (None for a payee
    enrolled before holders were)."""

    payee: str
    failed: bool
    holder: str | None
    registered: str | None

    @property
    def matches(self) -> bool:
        if self.holder is None:
            return False
        return self.registered is None or _same_name(self.holder, self.registered)


def _same_name(a: str, b: str) -> bool:
    """Names as banks write them: the same letters, whatever the spacing or composition."""
    def norm(name: str) -> str:
        return "".join(unicodedata.normalize("NFC", name).split()).casefold()
    return norm(a) == norm(b)


def mask_holder(name: str) -> str:
    """A holder's name as it may be said and shown: the first and last letters, the middle
    starred (`박미영` -> `박*영`, `김철` -> `김*`, `남궁민수` -> `남**수`)."""
    letters = "".join(name.split())
    if len(letters) <= 2:
        return letters[:1] + "*" * (len(letters) - 1)
    return letters[0] + "*" * (len(letters) - 2) + letters[-1]


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
    #: only for a conversation that calls a transfer back (`concerns_recall`)
    recall: Recall | None = None
    #: the recipient check's outcome, once the turn ran it (`check_recipient`)
    recipient: RecipientCheck | None = None


@dataclass(frozen=True)
class Reply:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    state: State
    replies: tuple[Reply, ...]
    #: "read" (fetch and answer the task), "transfer" (execute the authorised transfer),
    #: "verify_session" (a correct PIN verifies the session for reads), "check_recipient" (run
    #: the recipient check and decide again with its outcome in `Facts.recipient`)
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
    return (state.task in ("transfer", "payees") or (state.task is None and parse.intent in ("transfer", "payees"))
            or (parse.intent == "transactions" and parse.slots.payee is not None)
            or (state.task == "transactions" and state.payee is not None))


def concerns_recall(state: State, parse: Parse) -> bool:
    """Whether `decide` may consult `Facts.recall`: only a new conversation asking to call a
    transfer back."""
    return state.task is None and parse.recall


def _done(state: State, status: str, *replies: Reply, actions: tuple[str, ...] = ()) -> Decision:
    return Decision(dataclasses.replace(state, status=status, awaiting=None, candidate=None), replies, actions)


def _ask(state: State, awaiting: str, *replies: Reply) -> Decision:
    return Decision(dataclasses.replace(state, status="in_progress", awaiting=awaiting), replies)


def decide(state: State, parse: Parse, facts: Facts) -> Decision:
    if parse.command is not None:
        return _command(state, parse, facts)
    if concerns_recall(state, parse):
        return _start_recall(state, facts)
    if parse.intent == "cancel":
        return _done(state, "cancelled", Reply("cancelled"))
    if state.task is None:
        return _start(state, parse, facts)
    if state.recall is not None:
        return _continue_recall(state, facts)
    if state.task == "transfer":
        return _continue_transfer(state, parse, facts)
    return _continue_read(state, parse, facts)


def _start(state: State, parse: Parse, facts: Facts) -> Decision:
    intent = parse.intent
    if intent in READ_TASKS:
        return _read(_read_state(state, parse, facts), facts)
    if intent == "transfer":
        state = dataclasses.replace(state, task="transfer")
        return _continue_transfer(state, parse, facts)
    if intent == "help":
        return _done(state, "completed", Reply("help"))
    return _done(state, "completed", Reply("not_understood"))


def _read_state(state: State, parse: Parse, facts: Facts) -> State:
    """A read as asked: its bank, and for transactions or payees the payee it is about, named
    as the person registered them (`엄마`, whoever holds the account)."""
    payee = None
    if parse.intent in ("transactions", "payees") and parse.slots.payee:
        found = match(parse.slots.payee, facts.payees)
        payee = found.payee.name if found.payee is not None else parse.slots.payee
    return dataclasses.replace(state, task=parse.intent, bank=_own_bank(parse.slots.bank, facts), payee=payee,
                               summary=parse.summary, shown=0, awaiting=None)


# -- requests about the conversation itself (CONTRACT §9) -------------------------------------
#
# `다시 말해줘` repeats the last reply exactly (the caller has it; nothing here changes);
# `천천히 말해줘` / `보통 속도로` change how every later reply is spoken, and keep whatever the
# conversation awaited; `더 들려줘` speaks the next transactions of a transactions conversation.

def _command(state: State, parse: Parse, facts: Facts) -> Decision:
    if parse.command == "repeat":
        return Decision(state, (), ("repeat",))
    if parse.command in ("slower", "normal_speed"):
        said = Reply("slower" if parse.command == "slower" else "normal_speed")
        if state.task is None or state.finished:
            return _done(state, "completed", said, actions=(parse.command,))
        return Decision(state, (said, *_prompt(state)), (parse.command,))
    if state.task == "transactions" and not state.summary and (state.finished or state.awaiting == "pin"):
        state = dataclasses.replace(state, shown=state.shown + SPOKEN_TRANSACTIONS if state.finished else state.shown)
        return _read(state, facts)
    if state.task is None or state.finished:
        return _done(state, "completed", Reply("nothing_more"))
    return Decision(state, _prompt(state))


def goes_on(state: State, parse: Parse) -> bool:
    """Whether a finished conversation is continued rather than started over: `더 들려줘`
    after transactions."""
    return parse.command == "more" and state.task == "transactions" and state.status == "completed"


def nothing_to_repeat(state: State) -> Decision:
    """`다시 말해줘` in a conversation that has said nothing yet."""
    if state.task is None or state.finished:
        return _done(state, "completed", Reply("nothing_to_repeat"))
    return Decision(state, (Reply("nothing_to_repeat"), *_prompt(state)))


def _prompt(state: State) -> tuple[Reply, ...]:
    """What the conversation awaits, asked again."""
    asks = {"pin": "ask_pin_read" if state.task != "transfer" else "ask_pin", "otp": "ask_otp_again",
            "amount": "ask_amount", "payee": "ask_payee", "bank": "ask_bank"}
    return (Reply(asks[state.awaiting]),) if state.awaiting in asks else ()


def _help(state: State) -> Decision:
    """Help for this moment: what can be said now, given what the conversation awaits; the
    conversation keeps waiting for it."""
    if state.awaiting is None or state.finished:
        return _done(state, "completed", Reply("help"))
    key = "help_pin_transfer" if state.awaiting == "pin" and state.task == "transfer" else f"help_{state.awaiting}"
    return Decision(state, (Reply(key),))


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
        return _read(_read_state(state, parse, facts), facts)
    if parse.intent == "help":
        return _help(state)
    return _ask(state, "pin", Reply("ask_pin_read"))


# -- transfers ------------------------------------------------------------------------------

def _continue_transfer(state: State, parse: Parse, facts: Facts) -> Decision:
    if state.awaiting == "pin" and facts.pin is not None:
        return _after_pin(state, facts)
    if state.awaiting == "otp" and facts.otp is not None:
        return _after_otp(state, facts)
    aside = _aside(state, parse, facts)
    if aside is not None:
        return aside
    if parse.currency is not None:
        return _ask(dataclasses.replace(state, amount=None, authorised=None), "amount",
                    Reply("krw_only", {"currency": parse.currency}))
    changed, state, notes = _merge_slots(state, parse, facts)
    if parse.problem is not None:
        # two amounts, two payees or a negative amount: asked about, never guessed
        cleared = {"payee": None, "candidate": None} if parse.problem == "two_payees" else {"amount": None}
        state = dataclasses.replace(state, **cleared)
        changed, notes = True, (*notes, Reply(parse.problem))
    if state.candidate is not None and not changed:
        return _answer_candidate(state, parse, facts)
    if changed:
        # dynamic linking: a new amount, payee or source voids whatever was authorised
        state = dataclasses.replace(state, authorised=None, otp_failures=0)
    return _advance(state, facts, notes)


def _aside(state: State, parse: Parse, facts: Facts) -> Decision | None:
    """Something other than the transfer, said while it waits (a rule, the same in both
    languages):

    - a read (`우리은행 잔액은?`, `show my accounts`) sets the transfer aside, says so, and
      is answered as a new question: nothing of the transfer was authorised or sent, and none
      of its slots is carried into the read (the source bank never changes under a question);
    - help is answered for the moment (what can be said now) and the transfer keeps waiting;
    - anything refused as a transfer (reported speech, the past, a bank's hours) changes no
      slot: the transfer asks again for what it awaits.
    """
    if parse.intent == "help":
        return _help(state)
    if parse.intent in READ_TASKS:
        read = _read(_read_state(State(locale=state.locale), parse, facts), facts)
        return Decision(read.state, (Reply("transfer_set_aside"), *read.replies), read.actions)
    if parse.reason is not None and parse.intent == "unknown":
        prompt = _prompt(state)
        return Decision(state, prompt) if prompt else None
    return None


def _merge_slots(state: State, parse: Parse, facts: Facts) -> tuple[bool, State, tuple[Reply, ...]]:
    slots = parse.slots
    updates: dict[str, Any] = {}
    notes: tuple[Reply, ...] = ()
    if slots.amount is not None and slots.amount != state.amount:
        updates["amount"] = slots.amount
    if slots.bank is not None and slots.bank != state.bank and parse.reason is None:
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
    if state.checked_payee != state.payee:
        return _recipient_checked(state, facts, notes)
    return _ask(state, "pin", *notes, Reply("read_back_holder", _read_back_params(state, facts)))


def _recipient_checked(state: State, facts: Facts, notes: tuple[Reply, ...]) -> Decision:
    """The recipient check, before the read-back and any PIN: without its outcome, ask the
    turn to run it and decide again; a holder who is not the payee's ends the transfer, and
    so does a bank that cannot say (no transfer goes ahead unconfirmed: nothing is reserved
    or sent, and the person may try again later)."""
    check = facts.recipient
    if check is None or check.payee != state.payee:
        return Decision(state, notes, ("check_recipient",))
    payee_bank = next(p.bank for p in facts.payees if p.name == state.payee)
    if check.failed:
        return _done(state, "failed", *notes, Reply("recipient_unconfirmed", {"payee": state.payee,
                                                                             "payee_bank": payee_bank}))
    if not check.matches or check.holder is None:
        return _done(state, "rejected", *notes, Reply("recipient_mismatch", {"payee": state.payee}))
    state = dataclasses.replace(state, checked_payee=state.payee, holder=mask_holder(check.holder))
    return _ask(state, "pin", *notes, Reply("read_back_holder", _read_back_params(state, facts)))


def _read_back_params(state: State, facts: Facts) -> dict[str, Any]:
    payee = next(p for p in facts.payees if p.name == state.payee)
    return {"amount": state.amount, "payee": payee.name, "payee_bank": payee.bank,
            "last4": payee.last4, "source_bank": state.bank, "holder": state.holder}


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


# -- calling a held transfer back (CONTRACT §8) ---------------------------------------------

def _start_recall(state: State, facts: Facts) -> Decision:
    """Read the newest held transfer back and await the PIN; or say there is none to cancel."""
    state = dataclasses.replace(state, task="transfer")
    found = facts.recall
    if found is None or found.status == "cancelled":
        return _done(state, "completed", Reply("nothing_held"))
    state = dataclasses.replace(state, amount=found.amount, payee=found.payee, bank=found.bank)
    said = {"amount": found.amount, "payee": found.payee}
    if found.status != "held":
        return _done(state, "completed", Reply("already_sent" if found.status != "failed" else "nothing_held", said))
    if facts.locked:
        return _done(state, "rejected", Reply("locked"))
    return _ask(dataclasses.replace(state, recall=found.transfer_id), "pin",
                Reply("recall_read_back", {**said, "at": found.release_at}))


def _continue_recall(state: State, facts: Facts) -> Decision:
    if facts.pin == "locked" or facts.locked:
        return _done(state, "rejected", Reply("locked"))
    if facts.pin == "ok":
        return _done(state, "completed", actions=("verify_session", "recall"))
    if facts.pin == "wrong":
        return _ask(state, "pin", Reply("wrong_code"))
    return _ask(state, "pin", Reply("recall_ask_pin"))
