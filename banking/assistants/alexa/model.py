"""Alexa's interaction model for the skill (CONTRACT §7.2), as the JSON the Alexa developer
console and the ASK CLI take (`interactionModel.languageModel`). The shipped
`interaction_model.json` is this module's output for the demo household;
`flask --app app assistants alexa-model --user USER` makes one from a user's payees."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from banking.core import banks

SHIPPED = Path(__file__).with_name("interaction_model.json")
INVOCATION = "couch bank"

#: sample utterances per intent; `{slot}` names a slot
SAMPLES: dict[str, list[str]] = {
    "BalanceIntent": ["what's my balance", "what is my balance", "how much money do I have", "check my balance",
                      "what's my balance at {bank}", "how much is in my {bank} account", "balance"],
    "TransactionsIntent": ["what are my recent transactions", "read my transactions", "my transactions",
                           "recent transactions at {bank}", "what did I spend recently", "transaction history"],
    "AccountsIntent": ["what accounts do I have", "list my accounts", "my accounts", "which accounts are linked"],
    "PayeesIntent": ["who can I send money to", "list my payees", "who are my payees", "my payees"],
    "TransferIntent": ["send {amount} won to {payee}", "send {payee} {amount} won", "transfer {amount} won to {payee}",
                       "send {amount} won to {payee} from {bank}", "send money to {payee}", "pay {payee}",
                       "send {amount} won", "transfer money", "send money", "send {payee} money from {bank}"],
    "PinIntent": ["{pin}", "my pin is {pin}", "pin {pin}", "the pin is {pin}"],
    "CodeIntent": ["code {code}", "my code is {code}", "the code is {code}", "otp {code}", "one time code {code}"],
    "RepeatIntent": ["repeat that", "say that again", "what did you say", "repeat"],
}

SLOTS: dict[str, list[tuple[str, str]]] = {
    "BalanceIntent": [("bank", "BANK")],
    "TransactionsIntent": [("bank", "BANK")],
    "TransferIntent": [("amount", "AMAZON.NUMBER"), ("payee", "PAYEE"), ("bank", "BANK")],
    "PinIntent": [("pin", "AMAZON.FOUR_DIGIT_NUMBER")],
    "CodeIntent": [("code", "AMAZON.NUMBER")],
}

BUILT_IN = ("AMAZON.HelpIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
            "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent")

_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")


def _intent(name: str) -> dict[str, Any]:
    slots = [{"name": slot, "type": kind} for slot, kind in SLOTS.get(name, [])]
    return {"name": name, "slots": slots, "samples": SAMPLES.get(name, [])}


def _bank_values() -> list[dict[str, Any]]:
    values = []
    for bank in banks.installed().banks:
        synonyms = sorted({s for s in bank.spoken if _LATIN.match(s) and s.lower() != bank.name_en.lower()})
        values.append({"id": bank.code, "name": {"value": bank.name_en, "synonyms": synonyms}})
    return values


def _payee_values(payees: Iterable[tuple[str, Sequence[str]]]) -> list[dict[str, Any]]:
    """Each payee's id is its registered name (what a turn's `slots.payee` names); an
    English-speaking skill says the first Latin alias, and hears every name."""
    values = []
    for name, aliases in payees:
        latin = [a for a in aliases if _LATIN.match(a)]
        spoken = latin[0] if latin else name
        values.append({"id": name, "name": {"value": spoken, "synonyms": [a for a in [name, *aliases] if a != spoken]}})
    return values


def build(payees: Iterable[tuple[str, Sequence[str]]]) -> dict[str, Any]:
    intents = [_intent(name) for name in SAMPLES] + [_intent(name) for name in BUILT_IN]
    return {"interactionModel": {"languageModel": {
        "invocationName": INVOCATION,
        "intents": intents,
        "types": [{"name": "PAYEE", "values": _payee_values(payees)}, {"name": "BANK", "values": _bank_values()}],
    }}}
