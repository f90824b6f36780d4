"""couchbank language understanding: Korean and English banking requests -> intent + slots.

    from banking.core.nlu import parse
    parse("엄마한테 5만원 보내줘").to_dict()
    # {"text": ..., "intent": "transfer", "slots": {"amount": 50000, "payee": "엄마", "bank": None}}

Rule-based on purpose: fast, deterministic, explainable to an auditor, nothing downloaded.
Pure: no I/O, no state.
"""
from __future__ import annotations

from .amount import find_amounts, pick_amount
from .bank import find_banks, pick_bank
from .commands import bank_info, command, counterparty_en, payees, summary
from .corrections import (
    EN_CORRECTION_CUE,
    NEGATIVE_AMOUNT,
    TWO_AMOUNTS,
    TWO_PAYEES,
    correction_payee_en,
    instead_payee_ko,
    instead_tail,
    problem,
    terse_en,
    terse_ko,
    two_amounts,
)
from .digits import read_digits
from .intent import ACCOUNTS, BALANCE, CANCEL, HELP, INTENTS, PAYEES, TRANSACTIONS, TRANSFER, UNKNOWN, classify
from .locale import resolve_locale
from .normalize import normalize
from .payee import Payee, bare_payee_en, bare_payee_ko, bare_payee_ko_before, find_payee_en, find_payee_ko
from .recall import wants_recall
from .result import Parse, Slots
from .safety import reported
from .yesno import read_yes_no

__all__ = ["parse", "Parse", "Slots", "INTENTS"]

_OBJECT_WORDS = frozenset(
    """text texts message messages msg sms email emails e-mail mail letter letters photo photos picture pictures pic
    pics image images file files document documents doc docs link links invite invitation package parcel card cards
    statement statements invoice receipt code pin password fax video videos song songs music location address contact
    contacts reminder notification alert gift gifts flowers uber taxi car driver copy details info information report
    request reply response feedback""".split())


def parse(text: str, locale: str | None = None) -> Parse:
    t = normalize(text)
    loc = resolve_locale(t.text, locale)
    digits = read_digits(t)
    if digits is not None:
        return Parse(text=text, locale=loc, intent=UNKNOWN, digits=digits)
    said = command(t)
    if said is not None:
        return Parse(text=text, locale=loc, intent=UNKNOWN, command=said)
    yes_no = read_yes_no(t)
    amounts = find_amounts(t)
    amount = pick_amount(amounts)
    banks = find_banks(t) if (t.has_hangul or t.has_latin) else []

    payee: Payee | None = None
    if t.has_hangul:
        payee = find_payee_ko(t) or instead_payee_ko(t)
    if payee is None and t.has_latin:
        payee = find_payee_en(t, _OBJECT_WORDS)
    intent, reason = classify(t, amount, payee.name if payee else None, bool(banks))
    tail = instead_tail(t) if intent != CANCEL else None
    if tail is not None:
        # `잔액 말고 거래 내역`, `이체 말고 잔액`: what comes after `말고` is what is asked for
        tail_intent, _ = classify(tail, None, None, False)
        if tail_intent not in (UNKNOWN, TRANSFER):
            intent, reason = tail_intent, None
    if intent == UNKNOWN and reason is None and reported(t.compact, t.text, t.words, t.has_hangul):
        reason = "reported"
    if intent == TRANSFER and payee is None and t.has_hangul and amount is not None and amount.start > 0:
        payee = bare_payee_ko_before(t, amount.start)
    if intent == UNKNOWN and reason is None and yes_no is None and amount is not None and amount.strong and amount.currency is None:
        # a name and an amount and nothing else (`엄마 5만원`) is a command with its verb left out
        if t.has_hangul:
            terse = terse_ko(t, amount, payee)
            if terse is not None:
                intent, payee = TRANSFER, terse
        elif t.has_latin:
            name_en = terse_en(t, amount)
            if name_en is not None:
                intent, payee = TRANSFER, Payee(name_en, 0, 0)
    asks_payees, named = payees(t) if intent not in (TRANSFER, CANCEL) else (False, None)
    if asks_payees:
        intent, reason, payee = PAYEES, None, Payee(named, 0, 0) if named else None
    elif intent in (BALANCE, ACCOUNTS, HELP, UNKNOWN) and bank_info(t):
        # opening hours, branches: nothing of the user's money is asked, nor any bank chosen
        return Parse(text=text, locale=loc, intent=UNKNOWN, reason="bank_info", recall=wants_recall(t))

    value = amount.value if amount else None
    currency = amount.currency if amount else None
    if amount is not None and not amount.strong and intent != TRANSFER and not (
            t.has_latin and EN_CORRECTION_CUE.search(t.text)):
        value = None       # a bare number only means money next to a send verb, or as a correction
    name = payee.name if payee else None
    bank = pick_bank(banks, (payee.start, payee.end) if payee and payee.end else None)

    if intent == UNKNOWN and reason is not None:
        # a send verb was heard and refused: carry no slots a dialog could act on
        value, name, currency = None, None, None
    elif intent in (TRANSACTIONS, PAYEES):
        value, currency = None, None       # the payee filters the list
    elif intent not in (TRANSFER, UNKNOWN):
        value, name, currency = None, None, None
    elif intent == UNKNOWN and name is None and value is None and currency is None and yes_no is None and not banks:
        name = bare_payee_ko(t) if t.has_hangul else bare_payee_en(t)
    if intent == UNKNOWN and name is None and reason is None and not t.has_hangul and t.has_latin:
        name = correction_payee_en(t)      # `no, Dad instead`
    if intent == TRANSACTIONS and name is None and t.has_latin:
        name = counterparty_en(t)          # `transactions with Mom`
    problem_ = problem(t, amounts, amount) if intent in (TRANSFER, UNKNOWN) and (value is not None or name) else None
    if problem_ in (NEGATIVE_AMOUNT, TWO_AMOUNTS):
        value = None
    elif problem_ == TWO_PAYEES:
        name = None
        if two_amounts(t, amounts):
            value = None        # `엄마한테 3만원, 아빠한테 5만원`: neither amount is the one
    return Parse(text=text, locale=loc, intent=intent, slots=Slots(amount=value, payee=name, bank=bank),
                 currency=currency, yes_no=yes_no, reason=reason, recall=wants_recall(t), problem=problem_,
                 summary=intent == TRANSACTIONS and summary(t))
