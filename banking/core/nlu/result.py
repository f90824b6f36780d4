"""The parse result: what `parse` returns and what `nlu parse` prints (CONTRACT section 1)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Slots:
    amount: int | None = None        # whole KRW
    payee: str | None = None         # as spoken, particles removed
    bank: str | None = None          # an installed bank's code: the user's own account involved


@dataclass(frozen=True, slots=True)
class Parse:
    text: str
    locale: str
    intent: str
    slots: Slots = field(default_factory=Slots)
    currency: str | None = None      # ISO code when a non-KRW amount was spoken
    yes_no: bool | None = None
    digits: str | None = None        # the whole utterance read as a digit string (PIN, OTP)
    reason: str | None = None        # why a send verb did not make a transfer (for tests and audits)
    #: a request to call back the newest held transfer (`banking.core.nlu.recall`)
    recall: bool = False
    #: what about the money cannot be guessed: `two_amounts`, `two_payees`, `negative_amount`
    problem: str | None = None
    #: a request about the conversation itself: `repeat`, `slower`, `normal_speed`, `more`
    command: str | None = None
    #: transactions asked as the month's totals (`이번 달 얼마 썼어?`)
    summary: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent,
                "slots": {"amount": self.slots.amount, "payee": self.slots.payee, "bank": self.slots.bank}}
