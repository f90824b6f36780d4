"""Digit runs are redacted wherever they sit in an utterance and in whatever form they are
spoken; amounts survive (CONTRACT, second revision, §4.1 rule 7)."""
from __future__ import annotations

import re
import timeit

import pytest
from hypothesis import example, given, strategies as st

from banking.core.nlu.redact import redact_digits

# The test's own reading of digits, independent of the redactor's: every written digit and
# every digit word, glued or not; anything but separators between two of them ends a sequence.
_READ = {**{str(d): str(d) for d in range(10)},
         "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
         "six": "6", "seven": "7", "eight": "8", "nine": "9",
         "영": "0", "공": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "륙": "6",
         "칠": "7", "팔": "8", "구": "9", "하나": "1", "둘": "2", "셋": "3", "넷": "4", "다섯": "5", "여섯": "6",
         "일곱": "7", "여덟": "8", "아홉": "9"}
_TOKEN = re.compile("|".join(rf"(?<![a-z]){w}(?![a-z])" if w.isascii() and w.isalpha() else w
                             for w in sorted(_READ, key=len, reverse=True)), re.I)
_SEPARATOR = re.compile(r"[\s,.\-]*")


def digit_sequences(text: str) -> list[str]:
    sequences: list[str] = []
    end = None
    for m in _TOKEN.finditer(text):
        digit = _READ[m.group(0).lower()]
        if end is not None and _SEPARATOR.fullmatch(text, end, m.start()):
            sequences[-1] += digit
        else:
            sequences.append(digit)
        end = m.end()
    return sequences


def leaks(pin: str, text: str) -> bool:
    return any(pin in seq for seq in digit_sequences(text))


_FORMS = {  # every way a recogniser writes each digit
    "0": ["0", "zero", "oh", "공", "영"], "1": ["1", "one", "일", "하나"], "2": ["2", "two", "이", "둘"],
    "3": ["3", "three", "삼", "셋"], "4": ["4", "four", "사", "넷"], "5": ["5", "five", "오", "다섯"],
    "6": ["6", "six", "육", "여섯"], "7": ["7", "seven", "칠", "일곱"], "8": ["8", "eight", "팔", "여덟"],
    "9": ["9", "nine", "구", "아홉"],
}
_REQUESTS = ["잔액 알려줘", "엄마한테 보내줘", "아빠 계좌로 송금해줘", "케이뱅크 잔고 얼마야", "what's my balance",
             "send money to mom", "transfer to dad please", "최근 거래 내역 보여줘", "show my transactions"]
_PREFIXES = ["", "비밀번호", "비번은", "핀 번호", "my pin is", "pin", "the code is", "password"]
AMOUNTS = ["5만원", "50,000원", "오만 원", "fifty thousand won", "$1,200", "3천5백원", "이만 삼천 오백원", "₩30,000",
           "12,000원", "삼만", "two hundred and fifty thousand won", "1.5 million won", "백만원"]


@st.composite
def spoken(draw: st.DrawFn, digits: str) -> str:
    words = [draw(st.sampled_from(_FORMS[d])) for d in digits]
    out = words[0]
    for before, word in zip(words, words[1:]):
        english = not (before.isdigit() or _hangul(before)) or not (word.isdigit() or _hangul(word))
        gaps = [" ", "-", ", ", " - "] if english else ["", " ", "-", ", ", "."]
        out += draw(st.sampled_from(gaps)) + word
    return out


def _hangul(word: str) -> bool:
    return "\uac00" <= word[0] <= "\ud7a3"


pins = st.text("0123456789", min_size=4, max_size=6)


@st.composite
def sentences(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    pin = draw(pins)
    said = (draw(st.sampled_from(_PREFIXES)) + " " + draw(spoken(pin))).strip()
    amounts = draw(st.lists(st.sampled_from(AMOUNTS), max_size=2))
    pieces = [said, *amounts, *draw(st.lists(st.sampled_from(_REQUESTS), min_size=0, max_size=2))]
    order = draw(st.permutations(pieces))
    return pin, " ".join(order), amounts


@given(sentences())
@example(("4826", "잔액 알려줘 비밀번호 4826", []))
@example(("4826", "엄마한테 5만원 보내줘 4826", ["5만원"]))
@example(("4826", "what's my balance four eight two six", []))
@example(("4826", "4 8 2 6 5만원", ["5만원"]))
@example(("4826", "오만 원 사팔이육", ["오만 원"]))
@example(("4826", "$1,200 4826", ["$1,200"]))
@example(("48265", "사 팔 이 육 오만 원", ["오만 원"]))
def test_a_pin_anywhere_in_any_form_is_gone_and_amounts_stay(case: tuple[str, str, list[str]]) -> None:
    pin, text, amounts = case
    assert leaks(pin, text)     # the reader sees it before
    out = redact_digits(text)
    for amount in amounts:
        assert amount in out, (text, out)
    rest = out
    for amount in amounts:      # a PIN `0000` is not leaked by `50,000원`
        rest = rest.replace(amount, "|", 1)
    assert not leaks(pin, rest), out
    assert "[digits]" in out


@pytest.mark.parametrize("text,expected", [
    ("잔액 알려줘 비밀번호 4826", "잔액 알려줘 비밀번호 [digits]"),
    ("엄마한테 5만원 보내줘 4826", "엄마한테 5만원 보내줘 [digits]"),
    ("what's my balance four eight two six", "what's my balance [digits]"),
    ("4 팔 2 six", "[digits]"), ("사 팔 이 육", "[digits]"), ("4-8-2-6", "[digits]"), ("zero oh 공 영", "[digits]"),
    ("for eight to six", "[digits]"),              # recogniser homophones among digits
    ("forty eight twenty six", "[digits]"),        # a PIN read as two pairs
    ("사천팔백이십육", "[digits]"),                  # read as one number, not money
    ("１２３４", "[digits]"),                        # full-width digits
    ("100-123-456789로 보내줘", "[digits]로 보내줘"),   # account numbers go whole, not last four
    ("send 4826 to mom", "send [digits] to mom"),
    ("send 50000 to mom", "send [digits] to mom"),   # a bare number may be a PIN
    ("4 8 2 6원", "[digits] 6원"),                   # the amount keeps no more than its last digit
])
def test_examples(text: str, expected: str) -> None:
    assert redact_digits(text) == expected


@pytest.mark.parametrize("text", [
    "엄마한테 5만원 보내줘", "50,000원", "오만 원", "fifty thousand won", "$1,200", "3천5백원", "5만 명",
    "천천히 말해줘", "만원", "이체해줘", "사과 사줘", "이사 가요", "send 200 to mom", "12월 31일", "3시 15분",
    "원래 123 있었어", "I won the game", "two hundred and fifty thousand won", "₩50,000", "50,000 KRW",
])
def test_what_is_not_a_run_stays(text: str) -> None:
    assert redact_digits(text) == text


@given(st.text(max_size=200))
def test_any_text_is_redacted_once_and_for_all(text: str) -> None:
    once = redact_digits(text)
    assert redact_digits(once) == once


_SOUP = [*_READ, " ", "-", ",", ".", "x", "가", "to", "for", "and", "twenty"]
_MONEY = ["원", "만", "천", "won", "thousand", "hundred", "$"]


@given(st.lists(st.sampled_from(_SOUP + _MONEY), max_size=30).map("".join))
def test_number_soup_is_redacted_once_and_for_all(text: str) -> None:
    once = redact_digits(text)
    assert redact_digits(once) == once
    if not any(word in text for word in _MONEY):
        assert all(len(seq) < 4 for seq in digit_sequences(once)), once


def test_fast_enough_for_every_turn() -> None:
    # a typical utterance costs tens of microseconds; this bound only catches a regression by
    # an order of magnitude on a busy 2-core machine
    seconds = min(timeit.repeat(lambda: redact_digits("엄마한테 5만원 보내줘 비밀번호 사팔이육"), number=1000, repeat=3))
    assert seconds / 1000 < 0.0005
