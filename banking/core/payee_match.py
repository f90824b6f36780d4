"""Matching a spoken payee name to the user's registered payees. A near miss (`움마`,
`철쑤`, `mum`) is offered for confirmation, never taken as a match: money must not go to a
guess."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

_HONORIFICS = ("님", "씨")
_SBASE, _SCOUNT = 0xAC00, 11172


@dataclass(frozen=True)
class Payee:
    name: str
    aliases: tuple[str, ...]
    bank: str
    last4: str  # of the account number: what the read-back says
    number_enc: bytes  # the whole number, sealed (`banking.platform.security.account_numbers`)


@dataclass(frozen=True)
class Match:
    payee: Payee | None
    near_miss: Payee | None = None


def _key(text: str) -> str:
    text = "".join(text.split()).casefold()
    for suffix in _HONORIFICS:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text


def _jamo(text: str) -> str:
    # compare Korean letter by letter (ㅇㅓㅁㅁㅏ vs ㅇㅜㅁㅁㅏ), so one misheard vowel is one edit
    out = []
    for ch in text:
        code = ord(ch) - _SBASE
        if 0 <= code < _SCOUNT:
            out.append(chr(0x1100 + code // 588))
            out.append(chr(0x1161 + (code % 588) // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


def _distance(a: str, b: str, cap: int = 2) -> int:
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _names(payee: Payee) -> Iterable[str]:
    yield payee.name
    yield from payee.aliases


def match(spoken: str, payees: Sequence[Payee]) -> Match:
    key = _key(spoken)
    if not key:
        return Match(None)
    for payee in payees:
        if any(_key(name) == key for name in _names(payee)):
            return Match(payee)
    spoken_jamo = _jamo(key)
    best: tuple[int, Payee] | None = None
    for payee in payees:
        for name in _names(payee):
            target = _jamo(_key(name))
            # one edit in a short name, two in a longer one; never for one-letter names
            allowed = 1 if len(target) <= 6 else 2
            d = _distance(spoken_jamo, target, allowed)
            if len(target) > 1 and d <= allowed and (best is None or d < best[0]):
                best = (d, payee)
    return Match(None, best[1] if best else None)
