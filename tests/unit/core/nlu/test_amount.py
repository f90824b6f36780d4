"""Amounts and currencies."""
from __future__ import annotations

import pytest

from banking.core.nlu import parse


@pytest.mark.parametrize("text,amount", [
    ("5만원", 50000), ("오만 원", 50000), ("3만5천원", 35000), ("3만 5천원", 35000), ("이만 삼천 오백원", 23500),
    ("만 원", 10000), ("천원", 1000), ("백만원", 1_000_000), ("12,000원", 12000), ("12000원", 12000),
    ("1억", 100_000_000), ("십만원", 100000), ("fifty thousand won", 50000),
    ("two hundred and fifty thousand won", 250000), ("a hundred thousand won", 100000), ("50k won", 50000),
    ("₩50,000", 50000), ("50,000 KRW", 50000), ("1.5 million won", 1_500_000), ("삼만", 30000),
    ("오만원이요", 50000),
])
def test_amount_forms(text: str, amount: int) -> None:
    p = parse(text)
    assert p.slots.amount == amount and p.currency is None


@pytest.mark.parametrize("text", ["이만큼", "천천히 해", "만약에", "오늘", "엄마만 와", "5만 명", "천만에요", "원래 그래",
                                  "회사원이야", "I won the game", "one account"])
def test_not_amounts(text: str) -> None:
    assert parse(text).slots.amount is None


def test_correction_takes_the_last_amount() -> None:
    assert parse("5만 원 말고 3만 원").slots.amount == 30000


@pytest.mark.parametrize("text,code", [
    ("100달러", "USD"), ("100불", "USD"), ("50 dollars", "USD"), ("$100", "USD"), ("만 엔", "JPY"),
    ("50유로", "EUR"), ("60 euros", "EUR"), ("10 pounds", "GBP"), ("100위안", "CNY"),
])
def test_foreign_currency_is_reported_not_read_as_won(text: str, code: str) -> None:
    p = parse(text)
    assert p.currency == code and p.slots.amount is None


def test_foreign_currency_transfer_keeps_intent_for_the_dialog() -> None:
    p = parse("send 50 dollars to mom")
    assert (p.intent, p.currency, p.slots.amount, p.slots.payee) == ("transfer", "USD", None, "mom")


def test_bare_number_is_money_only_next_to_a_send_verb() -> None:
    assert parse("send 50000 to mom").slots.amount == 50000
    assert parse("room 50000 please").slots.amount is None
