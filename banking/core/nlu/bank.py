"""The user's own bank named in an utterance, heard by the names the installed banks declare
(`banking.core.banks`).

A bank named as the payee's (`엄마 우리은행 계좌로`, `to Dad's Woori account`) is not the
user's and is skipped by the caller through `spans`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from banking.core import banks

from .normalize import Text


@dataclass(frozen=True, slots=True)
class BankMention:
    bank: str
    start: int
    end: int
    source: bool        # said as where money comes from (`에서`, `from`)


@dataclass(frozen=True, slots=True, eq=False)
class Grammar:
    """A catalogue's names as patterns, compiled once per catalogue (and told apart by
    identity, which is what the caches that build on it key on)."""

    #: one group per name, in `codes` order; the longest name first
    mention: re.Pattern[str]
    codes: tuple[str, ...]
    #: a substring every name contains: most utterances name no bank and stop here
    hints: re.Pattern[str]
    #: every name as one non-capturing alternation, for phrases that carry a bank
    words: str


def _pattern(said: str) -> str:
    body = "".join(r"\s?" if ch == " " else r"\s?-?\s?" if ch == "-" else re.escape(ch) for ch in said.lower())
    # a Latin name is a word of its own: the `k` of `k-bank` is not the end of `book`
    return r"(?<![a-z])" + body if said[:1].isascii() and said[:1].isalpha() else body


def _hint(said: str) -> str:
    """The name's longest word (the last of equals: `우리 은행` -> `은행`, since `우리` alone
    is the everyday word for "our")."""
    words = said.lower().replace("-", " ").split()
    return max(reversed(words), key=len)


@lru_cache(maxsize=4)
def _grammar(catalogue: banks.Catalogue) -> Grammar:
    patterns = [_pattern(said) for said, _ in catalogue.spoken]
    hints = sorted({_hint(said) for said, _ in catalogue.spoken}, key=lambda h: (-len(h), h))
    return Grammar(
        mention=re.compile("|".join(f"({p})" for p in patterns) or "(?!)", re.I),
        codes=tuple(code for _, code in catalogue.spoken),
        hints=re.compile("|".join(map(re.escape, hints)) or "(?!)"),
        words="|".join(patterns),
    )


def grammar() -> Grammar:
    return _grammar(banks.installed())


_SOURCE_AFTER = re.compile(r"\s?(?:계좌|통장|account|꺼|거)?\s?(?:에서|으로부터|에서부터|에서\s?빼서|꺼에서|거에서|서)")
#: `케이뱅크 말고 우리은행`: a bank taken back is no bank chosen
_TAKEN_BACK = re.compile(r"\s?(?:계좌|통장)?\s?(?:에서|은|는|이|가|꺼|거)?\s?(?:말고(?!는)|아니고|아니라)")
_INSTEAD_OF_BEFORE = re.compile(r"\b(?:instead\s+of|not)\s+(?:my\s+|the\s+)?$", re.I)
_SOURCE_BEFORE = re.compile(r"(?:from|out of|using|use|with|via|through)\s+(?:my\s+|the\s+)?$", re.I)


def find_banks(t: Text) -> list[BankMention]:
    out: list[BankMention] = []
    g = grammar()
    if not g.hints.search(t.lower):
        return out
    s = t.text
    for m in g.mention.finditer(s):
        bank = g.codes[m.lastindex - 1]  # type: ignore[operator]  # a match always sets one group
        if _TAKEN_BACK.match(s, m.end()) or _INSTEAD_OF_BEFORE.search(s[max(0, m.start() - 20):m.start()]):
            continue
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
