"""Digit runs out of an utterance before it is written anywhere (CONTRACT, second revision, §4.1
rule 7): a PIN spoken in the same sentence as the request must not reach a log, the audit
trail or an export.

A run is four or more digits in a row, in any form a recogniser writes them: `4826`, `4 8 2 6`,
`4-8-2-6`, `사팔이육`, `사 팔 이 육`, `four eight two six`, mixed (`4 팔 2 six`), `zero`/`oh`/`공`/
`영` for 0, pairs (`forty eight twenty six`) and whole numbers (`사천팔백이십육`). Each becomes
`[digits]`; the rest of the sentence stays, so an auditor can still read the request.

Money is not a run: a number marked as money (`50,000원`, `오만 원`, `fifty thousand won`,
`$1,200`, `3천5백원`) or a bare Korean 만/억/조 amount (`5만`, `오만`) survives; a bare `50000`
or `fifty thousand` is redacted. Account numbers are redacted whole: keeping their last four
digits would show a PIN spoken right after one (`100-123-456789 4826` reads as one run).

Pure; the vocabularies are the parser's own (digits, numbers, amount).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

from .amount import EN_MONEY_AFTER, EN_MONEY_BEFORE, KO_MONEY_UNIT, WON_TAIL
from .digits import EN_DIGITS, HOMOPHONES, KO_DIGIT_WORDS
from .normalize import HANGUL
from .numbers import EN_ONES, EN_TENS, SINO_BIG_UNITS, SINO_SMALL_UNITS, english_to_int, sino_to_int

PLACEHOLDER: Final = "[digits]"

# kinds of number words: a digit (written group or spoken digit), a homophone of one (`to`,
# `for`: a digit only among other digits), an English tens or teens word, a unit (십, 만, thousand)
_DIGIT, _HOMOPHONE, _TENS, _TEEN, _UNIT = "d", "h", "t", "e", "u"
_DIGIT_LIKE: Final = frozenset((_DIGIT, _HOMOPHONE))


def _vocabulary() -> dict[str, tuple[str, str, str]]:
    """lower-case word -> (kind, digits, language)"""
    words: dict[str, tuple[str, str, str]] = {}
    for w, d in EN_DIGITS.items():
        words[w] = (_HOMOPHONE if w in HOMOPHONES else _DIGIT, d, "en")
    for w, v in EN_ONES.items():
        if 10 <= v <= 19:
            words[w] = (_TEEN, str(v), "en")
    for w, v in EN_TENS.items():
        words[w] = (_TENS, str(v), "en")
    for w in ("hundred", "thousand", "million", "billion"):
        words[w] = (_UNIT, "", "en")
    for w, d in KO_DIGIT_WORDS:
        words[w] = (_DIGIT, d, "ko")
    for w in (*SINO_SMALL_UNITS, *SINO_BIG_UNITS):
        words[w] = (_UNIT, "", "ko")
    return words


_WORDS: Final = _vocabulary()


# One pass finds written numbers, Latin words and Korean number words; a dictionary then
# picks the English number words (an alternation of every English word, tried at every
# position, costs several times more). English words end at any non-letter, so `pin4826`,
# `zero0000` and `four팔` hold digits too; Korean ones need no boundary (`사팔이육이요`).
_KO_ALTERNATION: Final = "|".join(sorted((w for w, (_, _, lang) in _WORDS.items() if lang == "ko"),
                                         key=len, reverse=True))   # longest first: `일곱` before `일`
_TOKEN = re.compile(rf"(\d+(?:[.,]\d+)*)|([a-z]+)|{_KO_ALTERNATION}", re.I)
# what may stand between two number words of one run: no letters, digits or currency signs,
# and `and` (`two hundred and fifty`)
_GAP = re.compile(r"[^\w$₩€£¥]*(?:\band\b[^\w$₩€£¥]*)?", re.I)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_NUMBER_NEXT = re.compile(r"\s*\d")
_NEXT_WORD = re.compile(r"\s*([a-z]+)", re.I)
_PREV_WORD = re.compile(r"([a-z]+)\s*$", re.I)
_SIGNS: Final = frozenset(w for w in EN_MONEY_BEFORE if not w.isalpha())
_SIGN_WORDS: Final = frozenset(w for w in EN_MONEY_BEFORE if w.isalpha())


class _Atom(NamedTuple):
    kind: str
    digits: str
    lang: str     # "en", "ko", or "" for written digits
    text: str
    start: int
    end: int


def _atoms(s: str) -> list[_Atom]:
    found = []
    for m in _TOKEN.finditer(s):
        word = m.group(0)
        if m.group(1) is not None:
            found.append(_Atom(_DIGIT, "".join(c for c in word if c.isdigit()), "", word, m.start(), m.end()))
        else:
            known = _WORDS.get(word.lower() if m.group(2) is not None else word)
            if known is not None:
                found.append(_Atom(*known, word, m.start(), m.end()))
    return found


def _runs(s: str, atoms: list[_Atom]) -> list[list[_Atom]]:
    """Number words that follow each other with nothing but separators between them."""
    runs: list[list[_Atom]] = []
    for atom in atoms:
        if runs and _GAP.fullmatch(s, runs[-1][-1].end, atom.start):
            runs[-1].append(atom)
        else:
            runs.append([atom])
    return runs


def _value(atoms: list[_Atom]) -> int | None:
    """The run read as one number (`3천5백`, `fifty thousand`, `50,000`), else None."""
    langs = {a.lang for a in atoms} - {""}
    if len(langs) > 1 or any("," in a.text and not _THOUSANDS.fullmatch(a.text) for a in atoms if not a.lang):
        return None
    text = " ".join(a.text for a in atoms)
    value = english_to_int(text) if "en" in langs else sino_to_int(text)
    return value if value else None


def _money_after(s: str, end: int) -> bool:
    unit = KO_MONEY_UNIT.match(s, end)
    if unit is not None:
        after = unit.end()
        if unit.group(1) == "₩" and _NUMBER_NEXT.match(s, after):
            return False    # `4826 ₩30,000`: the sign opens the next amount
        # `원래`, `원하는`: 원 starts a word there
        return not (unit.group(1) == "원" and after < len(s) and HANGUL.match(s, after)
                    and not WON_TAIL.match(s, after))
    word = _NEXT_WORD.match(s, end)
    return word is not None and word.group(1).lower() in EN_MONEY_AFTER


def _money_before(s: str, start: int) -> bool:
    before = s[:start].rstrip()
    if before and before[-1] in _SIGNS:
        return True
    word = _PREV_WORD.search(before)
    return word is not None and word.group(1).lower() in _SIGN_WORDS


def _is_amount(atoms: list[_Atom], marked: bool) -> bool:
    if not atoms or atoms[0].kind == _HOMOPHONE:
        return False
    # money is written without a leading zero (`0001원`), and a long written number leads its
    # units glued on (`1000만원`): `4826 백만원` is a PIN and an amount
    for i, a in enumerate(atoms):
        if not a.lang and (len(a.digits) > 1 and a.text[0] == "0"
                           or len(a.digits) >= 4 and i + 1 < len(atoms) and a.end != atoms[i + 1].start):
            return False
    # unmarked, only Korean 만/억/조 is money, and a long written group inside (`4826만`) is not
    if not marked and not (any(a.text in SINO_BIG_UNITS for a in atoms)
                           and all(len(a.digits) < 4 for a in atoms if not a.lang)):
        return False
    return _value(atoms) is not None


def _pairs(run: list[_Atom]) -> list[int]:
    """Where two digits meet (`4 8`, `4826 5`): never inside one amount."""
    return [i for i in range(1, len(run)) if run[i - 1].kind in _DIGIT_LIKE and run[i].kind in _DIGIT_LIKE]


def _suffix_amount(run: list[_Atom], marked: bool) -> int:
    """Where an amount ending the run starts (`4826 5만원` -> `5만`), else len(run)."""
    pairs = _pairs(run)
    for start in range(pairs[-1] if pairs else 0, len(run)):
        if _is_amount(run[start:], marked):
            return start
    return len(run)


def _prefix_amount(run: list[_Atom], marked: bool) -> int:
    """Where an amount opening the run ends (`$1,200 4826`, `오만 사팔이육`), else 0."""
    pairs = _pairs(run)
    # the digit that opens the first pair is more likely the PIN's: `오만 사팔이육` keeps `오만`,
    # not `오만사`; `$1,200 4826` has no shorter choice
    for end in [*range(pairs[0] - 1, 0, -1), pairs[0]] if pairs else range(len(run), 0, -1):
        if _is_amount(run[:end], marked):
            return end
    return 0


def _count(part: list[_Atom]) -> int:
    """How many digits the part reads as."""
    if _spelled_number(part):
        value = _value(part)
        if value is not None:
            return len(str(value))
    # `to`, `for` are digits only among at least two others (`for eight to six`)
    among_digits = sum(1 for a in part if a.kind in (_DIGIT, _TENS, _TEEN)) >= 2
    n = 0
    for i, a in enumerate(part):
        if a.kind == _HOMOPHONE:
            n += among_digits
        elif a.kind == _TENS and i + 1 < len(part) and part[i + 1].kind == _DIGIT and part[i + 1].lang == "en" \
                and part[i + 1].digits != "0":
            n += 1          # `forty eight` is two digits, `forty` alone too (`40`)
        else:
            n += len(a.digits)
    return n


def _spelled_number(part: list[_Atom]) -> bool:
    """A number read with units from two or more digits (`사천팔백`, `four thousand two hundred`)
    counts by its value; one digit and a unit (`이천`, `5만`, `two thousand`) is a word, not a run."""
    return any(a.kind == _UNIT for a in part) and sum(1 for a in part if a.digits) >= 2


def _hidden(part: list[_Atom], neighbour_digits: int) -> tuple[int, int] | None:
    """The span to hide in a part that is not money, if it reads as four or more digits."""
    if not part or _count(part) + neighbour_digits < 4:
        return None
    # a `to`/`for` at either end stays when the rest is a run by itself (`send 4826 to mom`)
    if part[0].kind == _HOMOPHONE and len(part) > 1 and _count(part[1:]) >= 4:
        part = part[1:]
    if part[-1].kind == _HOMOPHONE and len(part) > 1 and _count(part[:-1]) >= 4:
        part = part[:-1]
    return part[0].start, part[-1].end


def _span(s: str, run: list[_Atom]) -> tuple[int, int] | None:
    """What to hide in a run: whatever lies between the amounts at its ends (`삼만 5만원`,
    `4826 삼만 5만원`, `₩30,000 삼만 4826`)."""
    if sum(len(a.digits) for a in run) < 4 and not _spelled_number(run):
        return None         # most runs: `5만`, `이` in `이체`; nothing here can read as four digits
    end, marked = len(run), _money_after(s, run[-1].end)
    while end and (amount := _suffix_amount(run[:end], marked)) < end:
        end, marked = amount, False
    start, marked = 0, _money_before(s, run[0].start)
    while start < end and (amount := _prefix_amount(run[start:end], marked)):
        start, marked = start + amount, False
    part = run[start:end]
    neighbours = (_edge(part[0], run[start - 1]) if part and start else 0) + \
        (_edge(part[-1], run[end]) if part and end < len(run) else 0)
    return _hidden(part, neighbours)


def _edge(outside: _Atom, inside: _Atom) -> int:
    """An amount's edge digits, counted with the part beside it when two digits meet at the
    cut: `4 8 2 6원` may be a PIN whose last digit was read as the amount `6원`."""
    return len(inside.digits) if outside.kind in _DIGIT_LIKE and inside.kind in _DIGIT_LIKE else 0


def redact_digits(text: str) -> str:
    """`text` with every run of four or more digits, written or spoken, replaced by `[digits]`."""
    s = text if text.isascii() else unicodedata.normalize("NFKC", text)
    out: list[str] = []
    last = 0
    for run in _runs(s, _atoms(s)):
        span = _span(s, run)
        if span is not None:
            out += (s[last:span[0]], PLACEHOLDER)
            last = span[1]
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)
