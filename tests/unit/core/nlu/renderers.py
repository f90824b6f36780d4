"""Independent number renderers for the property tests: integers -> how people say them.

Written separately from banking.core.nlu.numbers on purpose, so a shared misunderstanding cannot
make both sides agree on a wrong reading.
"""
from __future__ import annotations

import random

SINO = ["", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"]
NATIVE = ["공", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉"]
EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _sino_group(g: int, spaced: bool, explicit_one: bool) -> str:
    """0 < g < 10^4 in Sino-Korean: 3505 -> 삼천오백오."""
    parts = []
    for unit, name in ((1000, "천"), (100, "백"), (10, "십")):
        d, g = divmod(g, unit)
        if d:
            parts.append(("일" if d == 1 and explicit_one else SINO[d] if d > 1 else "") + name)
    if g:
        parts.append(SINO[g])
    return (" " if spaced else "").join(parts)


def korean_sino(n: int, spaced: bool = False, explicit_one: bool = False) -> str:
    """1 <= n <= 10^8 -> 이만 삼천오백 (groups of 10^4, spaces between groups when spaced)."""
    assert 1 <= n <= 10**8
    eok, rest = divmod(n, 10**8)
    man, low = divmod(rest, 10**4)
    out = []
    if eok:
        out.append("일억")
    if man:
        out.append(("" if man == 1 and not explicit_one else _sino_group(man, spaced, explicit_one)) + "만")
    if low:
        out.append(_sino_group(low, spaced, explicit_one))
    return (" " if spaced else "").join(out)


def korean_digit_unit(n: int, spaced: bool = False) -> str:
    """1 <= n <= 10^8 -> 3만5천, 12만 3456, 1억."""
    eok, rest = divmod(n, 10**8)
    man, low = divmod(rest, 10**4)
    out = []
    if eok:
        out.append(f"{eok}억")
    if man:
        out.append(f"{man}만")
    if low:
        out.append(f"{low // 1000}천" if low % 1000 == 0 else str(low))
    return (" " if spaced else "").join(out)


def _en_below_1000(n: int, with_and: bool) -> list[str]:
    words: list[str] = []
    h, r = divmod(n, 100)
    if h:
        words += [EN_ONES[h], "hundred"]
        if r and with_and:
            words.append("and")
    if r >= 20:
        t, o = divmod(r, 10)
        words.append(EN_TENS[t] + (f"-{EN_ONES[o]}" if o else ""))
    elif r:
        words.append(EN_ONES[r])
    return words


def english_words(n: int, with_and: bool = False) -> str:
    assert 1 <= n <= 10**9
    words: list[str] = []
    for scale, name in ((10**6, "million"), (10**3, "thousand")):
        q, n = divmod(n, scale)
        if q:
            words += _en_below_1000(q, with_and) + [name]
    if n:
        words += _en_below_1000(n, with_and)
    return " ".join(words)


def spoken_digits(digits: str, style: str, rng: random.Random) -> str:
    """A digit string the way a speaker reads it out."""
    if style == "ascii":
        return digits
    if style == "ascii_spaced":
        return " ".join(digits)
    if style == "sino":
        return "".join(rng.choice(["공", "영"]) if d == "0" else SINO[int(d)] for d in digits)
    if style == "sino_spaced":
        return " ".join(rng.choice(["공", "영"]) if d == "0" else SINO[int(d)] for d in digits)
    if style == "native":
        return " ".join(NATIVE[int(d)] for d in digits)
    if style == "english":
        return " ".join(rng.choice(["zero", "oh"]) if d == "0" else EN_ONES[int(d)] for d in digits)
    raise ValueError(style)
