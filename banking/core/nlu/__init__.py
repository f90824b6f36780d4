"""couchbank language understanding: Korean and English banking requests -> intent + slots.

    from banking.core.nlu import parse
    parse("엄마한테 5만원 보내줘").to_dict()
    # {"text": ..., "intent": "transfer", "slots": {"amount": 50000, "payee": "엄마", "bank": None}}

Rule-based on purpose: fast, deterministic, explainable to an auditor, nothing downloaded.
Pure: no I/O, no state.
"""
from __future__ import annotations

from .amount import find_amount
from .bank import find_banks, pick_bank
from .digits import read_digits
from .intent import INTENTS, TRANSFER, UNKNOWN, classify
from .locale import resolve_locale
from .normalize import normalize
from .payee import Payee, bare_payee_en, bare_payee_ko, bare_payee_ko_before, find_payee_en, find_payee_ko
from .result import Parse, Slots
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
    yes_no = read_yes_no(t)
    amount = find_amount(t)
    banks = find_banks(t) if (t.has_hangul or t.has_latin) else []

    payee: Payee | None = None
    if t.has_hangul:
        payee = find_payee_ko(t)
    if payee is None and t.has_latin:
        payee = find_payee_en(t, _OBJECT_WORDS)
    intent, reason = classify(t, amount, payee.name if payee else None, bool(banks))
    if intent == TRANSFER and payee is None and t.has_hangul and amount is not None and amount.start > 0:
        payee = bare_payee_ko_before(t, amount.start)

    value = amount.value if amount else None
    currency = amount.currency if amount else None
    if amount is not None and not amount.strong and intent != TRANSFER:
        value = None       # a bare number only means money next to a send verb
    name = payee.name if payee else None
    bank = pick_bank(banks, (payee.start, payee.end) if payee and payee.end else None)

    if intent == UNKNOWN and reason is not None:
        # a send verb was heard and refused: carry no slots a dialog could act on
        value, name, currency = None, None, None
    elif intent not in (TRANSFER, UNKNOWN):
        value, name, currency = None, None, None
    elif intent == UNKNOWN and name is None and value is None and currency is None and yes_no is None and not banks:
        name = bare_payee_ko(t) if t.has_hangul else bare_payee_en(t)
    return Parse(text=text, locale=loc, intent=intent, slots=Slots(amount=value, payee=name, bank=bank),
                 currency=currency, yes_no=yes_no, reason=reason)
