"""A whole utterance that is a spoken digit string (PIN, OTP).

Only whole utterances count: `사` alone is four but `사과 사줘` has nothing to do with
digits, and `이사` (moving house) is a word, hence the minimum lengths below.
"""
from __future__ import annotations

import re
from typing import Final

from .normalize import Text

EN_DIGITS: Final[dict[str, str]] = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "to": "2", "too": "2", "three": "3",
    "four": "4", "for": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
# Longest first so `일곱` wins over `일`.
HOMOPHONES: Final = frozenset(("to", "too", "for"))
KO_DIGIT_WORDS: Final[tuple[tuple[str, str], ...]] = (
    ("다섯", "5"), ("여섯", "6"), ("일곱", "7"), ("여덟", "8"), ("여덜", "8"), ("아홉", "9"),
    ("하나", "1"), ("둘", "2"), ("셋", "3"), ("넷", "4"),
    ("영", "0"), ("공", "0"), ("일", "1"), ("이", "2"), ("삼", "3"), ("사", "4"), ("오", "5"),
    ("육", "6"), ("륙", "6"), ("칠", "7"), ("팔", "8"), ("구", "9"),
)
_KO_FIRST: Final[dict[str, tuple[tuple[str, str], ...]]] = {}
for _w, _d in KO_DIGIT_WORDS:
    _KO_FIRST[_w[0]] = _KO_FIRST.get(_w[0], ()) + ((_w, _d),)

# a filler (`um`, `uh`, `음`, `어`) before the digits is hesitation, not part of the code
_EN_PREFIX = re.compile(
    r"^(?:(?:um+|uh+|er+|erm|hmm+|okay|ok|so|well)[\s,.]+)*(?:(?:my|the)\s+)?(?:(?:pin|pin code|pin number|password|passcode|"
    r"code|otp|one time code|one-time code|verification code|security code)\s+(?:is|it's|its|=)?\s*|"
    r"it's\s+|it is\s+|its\s+|that's\s+|that is\s+|i think it's\s+)?", re.I)
_EN_SUFFIX = re.compile(r"\s*(?:please|thanks|thank you)\s*$", re.I)
_KO_PREFIX = re.compile(
    r"^(?:(?:음+|어+|아+|그+|흠+)[\s,.]+)*(?:(?:(?:제|내|저의|나의)\s*)?(?:비밀\s?번호|비번|핀\s?번호|핀|pin\s?번호|pin|인증\s?번호|"
    r"otp\s?번호|otp|오티피|코드|암호)\s*(?:는|은|요)?\s*)?", re.I)
_KO_SUFFIXES: Final = ("입니다", "이에요", "예요", "에요", "이요", "이고요", "요", "이야", "야", "이다", "번")
_KO_ALLOWED = frozenset("영공일이삼사오육륙칠팔구하나둘셋넷다섯여일곱덟덜아홉" "입니다이에요예요고야번" "음어아그흠제내저의나"
                        "비밀번호는핀인증코드암호은요오티피" "otpin" "0123456789 .,-?!")
_EN_ALLOWED = frozenset(EN_DIGITS) | frozenset(
    """um umm uh uhh er erm hmm ok okay so well my the pin code number password passcode otp one time verification security is
    it's its it that's that i think please thanks thank you""".split())
_SEPARATORS = re.compile(r"[\s.,\-]+")
_ASCII = re.compile(r"^\d+$")


def _hangul_digits(s: str) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch.isascii() and ch.isdigit():
            out.append(ch)
            i += 1
            continue
        for word, digit in _KO_FIRST.get(ch, ()):
            if s.startswith(word, i):
                out.append(digit)
                i += len(word)
                break
        else:
            return None
    return "".join(out)


def _candidate(body: str) -> str | None:
    body = body.strip(" .?!")
    if not body:
        return None
    tokens = [t for t in _SEPARATORS.split(body) if t]
    if not tokens:
        return None
    out: list[str] = []
    hangul_only = True
    for tok in tokens:
        low = tok.lower()
        if _ASCII.match(tok):
            out.append(tok)
            hangul_only = False
        elif low in EN_DIGITS:
            out.append(EN_DIGITS[low])
            hangul_only = False
        else:
            got = _hangul_digits(tok)
            if got is None:
                return None
            out.append(got)
    digits = "".join(out)
    homophones = sum(1 for t in tokens if t.lower() in HOMOPHONES)
    if homophones and len(tokens) - homophones < 3:
        return None     # `to`, `for`, `oh` are words first; only inside a longer digit string are they digits
    minimum = 3 if hangul_only and len(tokens) == 1 else 2
    return digits if len(digits) >= minimum else None


def read_digits(t: Text) -> str | None:
    """The digit string if the whole utterance (after politeness) is digits, else None."""
    if "," in t.raw and re.search(r"\d,\d", t.raw):
        return None     # `50,000` is written as an amount, not read out digit by digit
    s = t.text
    # every token must be a digit word or politeness: reject fast on anything else
    if t.has_hangul:
        if not _KO_ALLOWED.issuperset(t.compact):
            return None
    elif not all(w in _EN_ALLOWED or w.isdigit() for w in t.words):
        return None
    if t.has_hangul:
        s = _KO_PREFIX.sub("", s, count=1)
        found: list[str] = []
        got = _candidate(s)
        if got is not None:
            found.append(got)
        for suf in _KO_SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                got = _candidate(s[: -len(suf)])
                if got is not None:
                    found.append(got)
        if not found:
            return None
        # `사팔육이요` is 4-8-6 + copula or 4-8-6-2 + 요: PINs are 4 and OTPs 6 digits long.
        for d in found:
            if len(d) in (4, 6):
                return d
        return found[0]
    if not t.has_latin and not any(c.isdigit() for c in s):
        return None
    s = _EN_PREFIX.sub("", s, count=1)
    s = _EN_SUFFIX.sub("", s)
    return _candidate(s)
