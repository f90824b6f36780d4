"""PIN/OTP digit strings, yes/no, locale, cancel and the other intents."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from banking.core.nlu import parse

from .renderers import spoken_digits


@pytest.mark.parametrize("text", ["4826", "4 8 2 6", "사 팔 이 육", "사팔이육", "four eight two six", "4826입니다",
                                  "사팔이육이에요", "사팔이육이요", "my pin is 4826", "it's 4 8 2 6", "비밀번호는 사팔이육",
                                  "pin is four eight two six", "four eight two six please"])
def test_pin_forms(text: str) -> None:
    p = parse(text)
    assert p.digits == "4826" and p.slots.amount is None and p.intent == "unknown", text


@pytest.mark.parametrize("text,digits", [("123456", "123456"), ("일이삼 사오육", "123456"), ("하나 둘 셋 넷", "1234"),
                                         ("일 이 삼 사", "1234"), ("공일이삼", "0123"), ("영 일 이 삼", "0123"),
                                         ("zero one two three", "0123"), ("oh one two three", "0123"),
                                         ("다섯 여섯 일곱 여덟", "5678"), ("사팔육이요", "4862")])
def test_digit_forms(text: str, digits: str) -> None:
    assert parse(text).digits == digits


@pytest.mark.parametrize("text", ["사", "이사", "오일", "사과", "50,000", "send 4826 won", "엄마한테 5만원", "one", "to",
                                  "for two", "사팔이육 보내줘"])
def test_not_digits(text: str) -> None:
    assert parse(text).digits is None


STYLES = ["ascii", "ascii_spaced", "sino", "sino_spaced", "native", "english"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=4, max_size=8), st.sampled_from(STYLES), st.integers(0, 2**32))
def test_spoken_digits_round_trip(digits: str, style: str, seed: int) -> None:
    text = spoken_digits(digits, style, random.Random(seed))
    p = parse(text)
    assert p.digits == digits, text
    assert p.slots.amount is None and p.intent != "transfer"


@pytest.mark.parametrize("text,value", [
    ("네", True), ("응", True), ("예", True), ("맞아", True), ("좋아", True), ("네 맞아요", True), ("yes", True),
    ("yeah", True), ("sure", True), ("ok", True), ("okay send it", True), ("아니", False), ("아니요", False),
    ("아뇨", False), ("no", False), ("nope", False), ("no, 30000 won", False), ("아니 3만원으로", False),
    ("네이버 열어줘", None), ("아니면 뭐", None), ("no money left?", None), ("nobody", None), ("잔액 알려줘", None),
])
def test_yes_no(text: str, value: bool | None) -> None:
    assert parse(text).yes_no is value


def test_correction_is_no_plus_amount() -> None:
    p = parse("아니 3만원으로")
    assert (p.yes_no, p.slots.amount, p.intent) == (False, 30000, "unknown")


@pytest.mark.parametrize("text,locale", [("잔액 알려줘", "ko-KR"), ("what's my balance", "en-US"), ("4826", "en-US"),
                                         ("can you send 5만원 to mom", "ko-KR"), ("K뱅크", "ko-KR")])
def test_locale_detected(text: str, locale: str) -> None:
    assert parse(text).locale == locale


def test_locale_given_wins() -> None:
    assert parse("4826", "ko-KR").locale == "ko-KR"
    assert parse("잔액", "en-US").locale == "en-US"


@pytest.mark.parametrize("text,intent", [
    ("취소", "cancel"), ("그만", "cancel"), ("됐어", "cancel"), ("cancel", "cancel"), ("never mind", "cancel"),
    ("stop", "cancel"), ("그만큼 보내줘", "unknown"),
    ("잔액 알려줘", "balance"), ("케이뱅크 잔고 얼마야", "balance"), ("통장에 얼마 있어?", "balance"), ("잔액 얼마야?", "balance"),
    ("what's my balance", "balance"), ("how much money do I have", "balance"),
    ("최근 거래 내역 보여줘", "transactions"), ("입출금 내역", "transactions"), ("show my recent transactions", "transactions"),
    ("what did I spend", "transactions"), ("내 계좌 목록", "accounts"), ("무슨 계좌 있어?", "accounts"),
    ("list my accounts", "accounts"), ("뭐 할 수 있어?", "help"), ("도움말", "help"), ("help", "help"),
    ("what can you do", "help"), ("오늘 날씨 어때", "unknown"), ("tell me a joke", "unknown"),
])
def test_intents(text: str, intent: str) -> None:
    assert parse(text).intent == intent
