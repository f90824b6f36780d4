"""Money amounts in spoken Korean and English, in whole KRW, and foreign currencies.

A foreign currency is reported (ISO code) instead of an amount, so the dialog can say that
only won are supported rather than silently reading `100달러` as 100 won.

`strong` amounts carry a money unit (`원`, `won`, `₩`, `KRW`) or a Korean big unit (`5만`,
`삼만`); `weak` ones are bare numbers (`send 50000 to mom`) that only mean money next to a
transfer verb; the caller decides.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .normalize import HANGUL, Text
from .numbers import EN_NUMBER_WORDS, english_to_int, sino_to_int


@dataclass(frozen=True, slots=True)
class Amount:
    value: int | None
    currency: str | None       # ISO code for a non-KRW amount, else None
    strong: bool
    start: int
    end: int


_KO_NUM_PIECE = r"(?:\d+(?:\.\d+)?|[영공일이삼사오육륙칠팔구십백천만억조])"
_KO_RUN = re.compile(_KO_NUM_PIECE + r"(?:\s?" + _KO_NUM_PIECE + r")*")
_KO_CURRENCIES: Final[dict[str, str]] = {
    "달러": "USD", "딸라": "USD", "불": "USD", "엔": "JPY", "유로": "EUR", "위안": "CNY",
    "파운드": "GBP", "바트": "THB", "루피": "INR", "페소": "PHP", "동": "VND",
}
KO_MONEY_UNIT = re.compile(r"\s?(원|₩|달러|딸라|불(?![가-힣])|불로|불을|엔(?![가-힣])|엔을|엔으로|유로|위안|파운드|바트|루피|페소)")
# Particles that may follow a bare number glued on (`5만을`, `삼만이요`); anything else glued
# on means the syllables were part of a word (`만약`, `오늘`, `이번`, `사과`).
_KO_PARTICLE = re.compile(r"(?:은|는|을|를|이|가|만|도|으로|로|까지|짜리|정도|쯤|씩|요|입니다|이에|이야|에|어치|치|만큼|하고|이랑|랑|과|와)")
_KO_COUNTER = re.compile(
    r"(?:명|개|번|시간|시|분|초|살|세|년|월|일|회|장|권|마리|대|층|호|미터|킬로|키로|칼로리|걸음|점|배|등|위|퍼센트|"
    r"프로|평|가지|곡|편|통|건|채|인분|그릇|잔|병|켤레|벌|송이|줄|쪽|페이지|글자|단어|표|석|주|주일|달|킬로그램|그램|"
    r"리터|cc|km|kg|m\b|명분|포기|알|판|칸|점수|등급|대로|도)")
_HAS_BIG = re.compile(r"[만억조]")
_LONE_SYLLABLES = frozenset("영공일이삼사오육륙칠팔구십백천만억조")
_HAS_UNIT = re.compile(r"[십백천만억조]")
WON_TAIL = re.compile(r"(?:을|를|이|은|만|도|으로|로|씩|짜리|정도|쯤|어치|까지|이요|요|입니다|이에|이야|에|만큼|이랑|하고|과|와|권|밖에|넘|가량|내외|이상|이하|미만|인데|이면|이나|이라|치|보내|송금|이체|부쳐|줘|주세요|넣어)")
_CHEONMANE = re.compile(r"천만(?:에요|에|의\s?말씀)")

_EN_SIGNS = re.compile(r"[$€£¥]")
_EN_TOKEN = re.compile(r"[₩$€£¥]|\d+(?:\.\d+)?|[a-z]+|-", re.I)
_EN_BIG: Final = frozenset(("hundred", "thousand", "million", "billion"))
_EN_SUFFIX: Final = frozenset(("k", "m", "mil", "bn"))
EN_MONEY_BEFORE: Final = frozenset(("₩", "krw", "$", "usd", "€", "£", "¥", "eur"))
EN_MONEY_AFTER: Final = frozenset("won wons krw 원 dollar dollars buck bucks usd euro euros eur € yen jpy ¥ pound pounds gbp £ "
                             "yuan rmb cny peso pesos rupee rupees cent cents".split())
_EN_COUNTERS: Final = frozenset(
    """percent times day days week weeks month months year years hour hours minute minutes second seconds am pm a p
    o'clock people person persons item items transaction transactions account accounts card cards digit digits point
    points mile miles st nd rd th kg km lb lbs""".split())
_EN_CURRENCY: Final[dict[str, str | None]] = {
    "won": None, "wons": None, "krw": None, "원": None, "₩": None,
    "dollar": "USD", "dollars": "USD", "buck": "USD", "bucks": "USD", "usd": "USD", "$": "USD", "usd$": "USD",
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "€": "EUR", "yen": "JPY", "jpy": "JPY", "¥": "JPY",
    "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "£": "GBP", "yuan": "CNY", "rmb": "CNY", "cny": "CNY",
    "peso": "MXN", "pesos": "MXN", "rupee": "INR", "rupees": "INR", "cent": "USD", "cents": "USD",
}
_KO_HINT = re.compile(r"[원만억조천백십₩]|달러|딸라|불|엔|유로|위안|파운드|바트|루피|페소")
_EN_SCALE_SUFFIX = re.compile(r"^(\d+(?:\.\d+)?)\s?(k|m|mil|bn)$", re.I)
_SCALE = {"k": 10**3, "m": 10**6, "mil": 10**6, "bn": 10**9}

def _sino_best(run: str) -> int | None:
    """Longest well-formed suffix of a run: `돈이 오만` -> the run `이 오만` is not a number,
    `오만` is (the `이` was a particle)."""
    tokens = run.split(" ")
    for i in range(len(tokens)):
        piece = " ".join(tokens[i:])
        v = sino_to_int(piece)
        if v is not None:
            return v
        # `철수이만원`: the glued particle sits inside the first token
        first = tokens[i]
        for j in range(1, len(first)):
            v = sino_to_int(first[j:] + (" " + " ".join(tokens[i + 1:]) if i + 1 < len(tokens) else ""))
            if v is not None:
                return v
    return None


def _korean_amounts(s: str) -> list[Amount]:
    found: list[Amount] = []
    for m in _KO_RUN.finditer(s):
        run = m.group(0).strip()
        start, end = m.start(), m.start() + len(m.group(0).rstrip())
        unit_m = KO_MONEY_UNIT.match(s, end)
        if unit_m is None and len(run) == 1 and run in _LONE_SYLLABLES:
            continue        # `이`, `사`, `일` inside ordinary words: the common case, rejected cheaply
        glued_left = start > 0 and bool(HANGUL.match(s[start - 1]))
        if glued_left and run[0] in "영공" and len(run) > 1:
            # `박민영 천원`: a name's last syllable, not a leading zero
            trimmed = run[1:].lstrip()
            start += len(run) - len(trimmed)
            run, glued_left = trimmed, False
        if unit_m:
            unit = unit_m.group(1)
            after = unit_m.end()
            if unit == "원" and after < len(s) and HANGUL.match(s[after]) and not WON_TAIL.match(s, after):
                continue        # `원인`, `원래`, `원하는`: 원 starts a word here
            compact_run = run.replace(" ", "")
            if glued_left and (len(compact_run) < 2 or not (any(ch.isdigit() for ch in compact_run) or _HAS_UNIT.search(compact_run))):
                continue        # `회사원`, `저조 원`: syllables glued to a word before 원 are part of it
            value = _sino_best(run)
            if value is None or value <= 0:
                continue
            if unit in ("원", "₩"):
                found.append(Amount(value, None, True, start, unit_m.end()))
            else:
                code = next((c for k, c in _KO_CURRENCIES.items() if unit.startswith(k)), "USD")
                found.append(Amount(None, code, True, start, unit_m.end()))
            continue
        if glued_left:
            continue
        nxt = s[end:end + 1]
        if nxt and HANGUL.match(nxt) and not _KO_PARTICLE.match(s, end):
            continue
        if _KO_COUNTER.match(s, end + 1 if nxt == " " else end):
            continue
        if _CHEONMANE.match(s, start):
            continue
        compact = run.replace(" ", "")
        if _HAS_BIG.search(compact) and len(compact) > 1 and not compact[0] in "만억조":
            value = sino_to_int(compact)
            if value is None:
                value = _sino_best(run)
            if value:
                found.append(Amount(value, None, True, start, end))
        elif compact.isdigit() and len(compact) >= 3:
            found.append(Amount(int(compact), None, False, start, end))
    return found


def _english_number(num: str) -> int | None:
    num = num.strip()
    m = _EN_SCALE_SUFFIX.match(num)
    if m:
        v = float(m.group(1)) * _SCALE[m.group(2).lower()]
        return int(v) if v == int(v) else None
    if num.replace(".", "", 1).isdigit():
        v = float(num)
        return int(v) if v == int(v) else None
    return english_to_int(num)


def _english_amounts(s: str) -> list[Amount]:
    """Each number in the text, written or in words, read with the currency sign or code
    before it (`$`, `krw`) and the currency word after it (`won`, `dollars`)."""
    spans = list(_EN_TOKEN.finditer(s))
    words = [m.group(0).lower() for m in spans]
    found: list[Amount] = []
    i = 0
    while i < len(words):
        pieces = _number_at(words, spans, i)
        if not pieces:
            i += 1
            continue
        after = i + len(pieces)
        sign = _word(words, i - 1) if _word(words, i - 1) in EN_MONEY_BEFORE else ""
        unit = _word(words, after) if _word(words, after) in EN_MONEY_AFTER else ""
        start = spans[i - 1 if sign else i].start()
        end = spans[after if unit else after - 1].end()
        amount = _english_amount(pieces, sign, unit, _word(words, after), start, end)
        if amount is not None:
            found.append(amount)
        i = after + (1 if unit else 0)
    return found


def _word(words: list[str], i: int) -> str:
    return words[i] if 0 <= i < len(words) else ""


def _number_at(words: list[str], spans: list[re.Match[str]], i: int) -> list[str]:
    """The words of the number that starts at word `i`, else []: digits and number words, a
    scale glued to digits (`50k`, `50 k`), `and` or a hyphen between number words (`one
    hundred and five`, `twenty-five`); `a` or `an` opens one before a scale (`a hundred`)."""
    first = words[i]
    if not (first[0].isdigit() or first in EN_NUMBER_WORDS
            or first in ("a", "an") and _word(words, i + 1) in _EN_BIG):
        return []
    pieces = [first]
    for k in range(i + 1, len(words)):
        word = words[k]
        if word[0].isdigit() or word in EN_NUMBER_WORDS:
            pieces.append(word)
        elif word in _EN_SUFFIX and pieces[-1][0].isdigit() and spans[k].start() - spans[k - 1].end() <= 1:
            pieces.append(word)
        elif word in ("and", "-") and _word(words, k + 1) in EN_NUMBER_WORDS:
            pieces.append("and")
        else:
            break
    return pieces


def _english_amount(pieces: list[str], sign: str, unit: str, following: str, start: int,
                    end: int) -> Amount | None:
    """A number with its sign and unit as an amount: strong with a currency; weak when bare
    but read as money (`fifty thousand`, `50k`, `50000`); else None (`5 days`, `3`)."""
    value = _english_number(" ".join(pieces))
    if value is None or value <= 0:
        return None
    if sign or unit:
        currency = _EN_CURRENCY.get(unit or sign)
        return Amount(value if currency is None else None, currency, True, start, end)
    if following in _EN_COUNTERS:
        return None
    if any(p in _EN_BIG or p in _EN_SUFFIX for p in pieces) or (
            len(pieces) == 1 and pieces[0].isdigit() and value >= 100):
        return Amount(value, None, False, start, end)
    return None


def find_amount(t: Text) -> Amount | None:
    """The amount the speaker means: the last strong one (`5만원 말고 3만원` -> 30,000), else
    the last weak one. A foreign currency anywhere wins, so it is never read as won."""
    return pick_amount(find_amounts(t))


def find_amounts(t: Text) -> list[Amount]:
    """Every amount spoken, in no particular order."""
    found: list[Amount] = []
    has_digit = t.has_digit
    if t.has_hangul and (has_digit or _KO_HINT.search(t.text)):
        found += _korean_amounts(t.text)
    if t.has_hangul:
        english = t.has_latin and (has_digit or not t.words.isdisjoint(EN_NUMBER_WORDS)) or _EN_SIGNS.search(t.text) is not None
    else:
        english = has_digit or not t.words.isdisjoint(EN_NUMBER_WORDS)
    if english:
        found += _english_amounts(t.text)
    return found


def pick_amount(found: list[Amount]) -> Amount | None:
    if not found:
        return None
    foreign = [a for a in found if a.currency]
    won = [a for a in found if a.currency is None and a.strong]
    if foreign and not won:
        return foreign[-1]
    if won:
        return max(won, key=lambda a: a.start)
    return max(found, key=lambda a: a.start)
