"""The user's own bank named in an utterance: K-Bank or Woori.

`우리` alone is the everyday word for "our/my" (`우리 엄마`), so Woori needs `은행`/`뱅크`
or the Latin spelling. A bank named as the payee's (`엄마 우리은행 계좌로`, `to Dad's Woori
account`) is not the user's and is skipped by the caller through `spans`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import Text


@dataclass(frozen=True, slots=True)
class BankMention:
    bank: str
    start: int
    end: int
    source: bool        # said as where money comes from (`에서`, `from`)


_BANK = re.compile(
    r"(?P<kbank>케이\s?뱅크|케이\s?은행|케뱅|(?<![a-z])k\s?-?\s?뱅크|(?<![a-z])k\s?-?\s?bank|케이\s?bank|(?<![a-z])k\s?은행)"
    r"|(?P<woori>우리\s?은행|우리\s?뱅크|우리\s?뱅킹|우리\s?bank|woori(?:\s?bank)?|우리은|우리\s?원\s?뱅킹)",
    re.I)
_HINTS = ("뱅크", "은행", "bank", "woori", "케뱅", "뱅킹", "우리은")
_HINT_RX = re.compile("|".join(_HINTS))
_SOURCE_AFTER = re.compile(r"\s?(?:계좌|통장|account|꺼|거)?\s?(?:에서|으로부터|에서부터|에서\s?빼서|꺼에서|거에서|서)")
_SOURCE_BEFORE = re.compile(r"(?:from|out of|using|use|with|via|through)\s+(?:my\s+|the\s+)?$", re.I)


def find_banks(t: Text) -> list[BankMention]:
    out: list[BankMention] = []
    low = t.lower
    if not _HINT_RX.search(low):
        return out
    s = t.text
    for m in _BANK.finditer(s):
        bank = "kbank" if m.group("kbank") else "woori"
        source = bool(_SOURCE_AFTER.match(s, m.end())) or bool(_SOURCE_BEFORE.search(s[max(0, m.start() - 20):m.start()]))
        out.append(BankMention(bank, m.start(), m.end(), source))
    return out


def pick_bank(mentions: list[BankMention], payee_span: tuple[int, int] | None) -> str | None:
    """A mention said as the source wins; one inside the payee's phrase is the payee's bank."""
    for m in mentions:
        if m.source:
            return m.bank
    for m in mentions:
        if payee_span and payee_span[0] <= m.start < payee_span[1]:
            continue
        return m.bank
    return None
