"""Recogniser text -> a canonical form the grammars can rely on.

Case is kept (payees are reported as spoken: `Mom`); every English pattern is compiled
case-insensitive instead. Full-width forms and odd spaces from some recognisers are folded
with NFKC, typographic quotes become ASCII so `what’s` matches `what's`.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_QUOTES = str.maketrans({"`": "'", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\uff07": "'",
                         "\u00b4": "'", "\u2013": "-", "\u2014": "-", "\uffe6": "₩"})
# Punctuation that carries no meaning for us; `?`, `,`, `.`, `-`, `'`, `$`, `₩`, `%`, currency
# signs and `~` are kept because numbers, questions and names use them.
_NOISE = re.compile(r"[\"“”()\[\]{}<>*_#|^@&=+:;…·•♥♡☆★~!]+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z0-9가-힣]+(?:'[a-z]+)?")
#: `김철수 님에게`, `철수 씨 한테`: a title spoken apart from its name and particle belongs to both
_TITLE_GAP = re.compile(r"(?<=[가-힣]) (님|씨|군|양) ?(?=한테|에게|께|더러|계좌|통장|앞으로)")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


class Text(NamedTuple):   # a NamedTuple: built once per utterance, cheaper than a frozen dataclass
    raw: str          # as given
    text: str         # normalised, case kept, single spaces
    lower: str        # `text` lower-cased
    compact: str      # `lower` without spaces: Korean spacing is unreliable in ASR output
    has_hangul: bool
    has_latin: bool
    question_mark: bool
    has_digit: bool
    words: frozenset[str]   # lower-case word tokens: cheap gates before the costly patterns


def normalize(raw: str) -> Text:
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw).translate(_QUOTES)
    question = "?" in s
    s = _NOISE.sub(" ", s)
    if "," in s:
        s = _DIGIT_COMMA.sub("", s)      # 12,000 -> 12000 so one token carries the number
    s = " ".join(s.split())
    hangul = bool(HANGUL.search(s))
    if hangul and (" 님" in s or " 씨" in s or " 군" in s or " 양" in s):
        s = _TITLE_GAP.sub(r"\1", s)
    lower = s.lower()
    return Text(raw=raw, text=s, lower=lower, compact=lower.replace(" ", ""),
                has_hangul=hangul, has_latin=bool(_LATIN.search(s)) if hangul or not s.isascii() else any(c.isalpha() for c in s),
                question_mark=question, has_digit=bool(_DIGIT.search(s)),
                words=frozenset(_WORD.findall(lower)))
