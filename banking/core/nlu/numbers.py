"""Spoken numbers -> int.

Korean has two counting systems: Sino-Korean (일 이 삼 ... 십 백 천 만 억), used for money,
and native Korean (하나 둘 셋 ... 열 스물 ... 아흔), used for counting and, by some people,
for reading out digits. Sino-Korean groups by 10^4 (만, 억, 조), not by 10^3 as English does,
so `이만 삼천 오백` is (2)*10^4 + 3*10^3 + 5*10^2. Recognisers also mix Arabic digits with
unit syllables (`3만5천`, `1억 2000만`), which the same accumulator handles.
"""
from __future__ import annotations

import re
from typing import Final

SINO_DIGITS: Final[dict[str, int]] = {
    "영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5,
    "육": 6, "륙": 6, "칠": 7, "팔": 8, "구": 9,
}
SINO_SMALL_UNITS: Final[dict[str, int]] = {"십": 10, "백": 100, "천": 1000}
SINO_BIG_UNITS: Final[dict[str, int]] = {"만": 10**4, "억": 10**8, "조": 10**12}

# Native numbers only go to 99; that is all a speaker uses them for.
NATIVE_ONES: Final[dict[str, int]] = {
    "하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "석": 3, "넷": 4, "네": 4,
    "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "여덜": 8, "아홉": 9,
}
NATIVE_TENS: Final[dict[str, int]] = {
    "열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50,
    "예순": 60, "일흔": 70, "여든": 80, "아흔": 90,
}

EN_ONES: Final[dict[str, int]] = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "a": 1, "an": 1,
}
EN_TENS: Final[dict[str, int]] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
EN_SCALES: Final[dict[str, int]] = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mil": 10**6, "m": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9,
}
EN_NUMBER_WORDS: Final[frozenset[str]] = frozenset(
    [w for w in EN_ONES if w not in ("a", "an", "oh")] + list(EN_TENS) + ["hundred", "thousand", "million", "billion"]
)

_DECIMAL = re.compile(r"^\d+(?:\.\d+)?$")
_SINO_TOKEN = re.compile(r"\d+(?:\.\d+)?|[영공일이삼사오육륙칠팔구십백천만억조]")
_SINO_ALL = re.compile(r"^(?:\d+(?:\.\d+)?|[영공일이삼사오육륙칠팔구십백천만억조])+$")


def _to_number(token: str) -> float:
    return float(token) if "." in token else int(token)


def sino_to_int(text: str) -> int | None:
    """Sino-Korean (optionally mixed with Arabic digits) -> int, or None if not well formed.

    Spaces and thousands separators are ignored. Rejects digit-after-digit sequences such as
    `이이` or `사오` (those are spoken digit strings, not amounts) and units out of order.
    """
    s = text.replace(" ", "").replace(",", "")
    if not s or not _SINO_ALL.match(s):
        return None
    total = 0.0          # finished 10^4 groups
    group = 0.0          # current group below 10^4
    pending: float | None = None   # a digit waiting for its unit
    last_small = 10**5   # small units must descend within a group
    last_big = 10**13
    for tok in _SINO_TOKEN.findall(s):
        if tok[0].isdigit():
            if pending is not None:
                return None
            pending = _to_number(tok)
        elif tok in SINO_DIGITS:
            if pending is not None:
                return None
            pending = SINO_DIGITS[tok]
        elif tok in SINO_SMALL_UNITS:
            unit = SINO_SMALL_UNITS[tok]
            if unit >= last_small:
                return None
            if pending is not None and pending == 0:
                return None
            group += (1 if pending is None else pending) * unit
            pending = None
            last_small = unit
        else:
            unit = SINO_BIG_UNITS[tok]
            if unit >= last_big:
                return None
            value = group + (pending or 0)
            if value == 0:
                if pending == 0:
                    return None
                value = 1
            total += value * unit
            group, pending = 0.0, None
            last_small = 10**5
            last_big = unit
    if pending is not None:
        # A trailing digit after a small unit (`삼십오`) is fine; `3천5` is fine; but a
        # decimal left without a unit after other parts (`만 1.5`) is not an amount.
        if isinstance(pending, float) and (group or total):
            return None
        group += pending
    value = total + group
    if value != int(value):
        return None
    return int(value)


def native_to_int(text: str) -> int | None:
    """Native Korean number word (`스물셋`, `열`, `하나`) -> 1..99, else None."""
    s = text.replace(" ", "")
    if not s:
        return None
    value = 0
    for tens, v in NATIVE_TENS.items():
        if s.startswith(tens):
            value, s = v, s[len(tens):]
            break
    if s:
        ones = NATIVE_ONES.get(s)
        if ones is None:
            return None
        value += ones
    return value or None


_EN_SPLIT = re.compile(r"[\s-]+")


def english_to_int(text: str) -> int | None:
    """English number words, optionally mixed with digits (`1.5 million`, `50 thousand`,
    `two hundred and fifty thousand`, `50k`) -> int, else None."""
    words = [w for w in _EN_SPLIT.split(text.lower().replace(",", "")) if w and w != "and"]
    if not words:
        return None
    total = 0.0
    current = 0.0
    seen = False
    prev: str | None = None
    for w in words:
        if _DECIMAL.match(w):
            if prev is not None and prev not in EN_SCALES and prev != "hundred":
                return None
            current += _to_number(w)
        elif w in EN_ONES:
            if w in ("a", "an") and prev is not None:
                return None
            if prev is not None and (prev in EN_ONES or _DECIMAL.match(prev)):
                return None
            current += EN_ONES[w]
        elif w in EN_TENS:
            if prev is not None and (prev in EN_ONES or prev in EN_TENS or _DECIMAL.match(prev)):
                return None
            current += EN_TENS[w]
        elif w == "hundred":
            if current >= 100 and current % 100 != 0:
                return None
            if current >= 100:
                return None
            current = (current or 1) * 100
        elif w in EN_SCALES:
            if current == 0 and prev is None:
                return None
            total += (current or 1) * EN_SCALES[w]
            current = 0
        else:
            return None
        seen = True
        prev = w
    if not seen:
        return None
    value = total + current
    if value != int(value) or value <= 0:
        return None
    return int(value)
