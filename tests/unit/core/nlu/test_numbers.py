"""Number words: Sino-Korean, native Korean, English; unit tests and round-trip properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from banking.core.nlu import parse
from banking.core.nlu.numbers import english_to_int, native_to_int, sino_to_int

from .renderers import english_words, korean_digit_unit, korean_sino


@pytest.mark.parametrize("text,value", [
    ("이만 삼천 오백", 23500), ("3만5천", 35000), ("3만 5천", 35000), ("만", 10000), ("천", 1000),
    ("백만", 1_000_000), ("12,000", 12000), ("1억", 10**8), ("십만", 100000), ("삼십오", 35),
    ("일억 이천삼백만", 123_000_000), ("1.5만", 15000), ("1억 2000만", 120_000_000), ("일만", 10000),
    ("구십구만 구천구백구십구", 999_999),
])
def test_sino(text: str, value: int) -> None:
    assert sino_to_int(text) == value


@pytest.mark.parametrize("text", ["이이", "사오", "만만", "천백천", "", "오늘", "십십"])
def test_sino_rejects_digit_strings_and_words(text: str) -> None:
    assert sino_to_int(text) is None


@pytest.mark.parametrize("text,value", [("하나", 1), ("열", 10), ("스물셋", 23), ("아흔아홉", 99), ("열둘", 12)])
def test_native(text: str, value: int) -> None:
    assert native_to_int(text) == value


@pytest.mark.parametrize("text,value", [
    ("fifty thousand", 50000), ("two hundred and fifty thousand", 250000), ("a hundred thousand", 100000),
    ("1.5 million", 1_500_000), ("one hundred million", 10**8), ("forty-five", 45),
    ("twelve thousand three hundred forty five", 12345), ("twenty five hundred", 2500),
])
def test_english(text: str, value: int) -> None:
    assert english_to_int(text) == value


@pytest.mark.parametrize("text", ["one one", "hundred hundred", "fifty forty", "banana"])
def test_english_rejects(text: str) -> None:
    assert english_to_int(text) is None


N = st.integers(min_value=1, max_value=10**8)


@settings(max_examples=300, deadline=None)
@given(N, st.booleans(), st.booleans(), st.booleans())
def test_korean_sino_words_round_trip(n: int, spaced: bool, explicit_one: bool, space_before_won: bool) -> None:
    text = korean_sino(n, spaced, explicit_one) + (" 원" if space_before_won else "원")
    p = parse(text)
    assert p.slots.amount == n, text
    assert p.intent == "unknown" and p.digits is None


@settings(max_examples=300, deadline=None)
@given(N, st.booleans())
def test_korean_digit_unit_round_trip(n: int, spaced: bool) -> None:
    text = korean_digit_unit(n, spaced) + "원"
    assert parse(text).slots.amount == n, text


@settings(max_examples=300, deadline=None)
@given(N, st.booleans())
def test_english_words_round_trip(n: int, with_and: bool) -> None:
    text = english_words(n, with_and) + " won"
    assert parse(text).slots.amount == n, text


@settings(max_examples=100, deadline=None)
@given(N)
def test_amount_inside_a_transfer(n: int) -> None:
    p = parse(f"엄마한테 {korean_sino(n)}원 보내줘")
    assert (p.intent, p.slots.amount, p.slots.payee) == ("transfer", n, "엄마")
    p = parse(f"send {english_words(n)} won to mom")
    assert (p.intent, p.slots.amount, p.slots.payee) == ("transfer", n, "mom")
