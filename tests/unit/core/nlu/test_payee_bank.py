"""Payees (particles and English phrases) and the user's own bank."""
from __future__ import annotations

import pytest

from banking.core.nlu import parse


@pytest.mark.parametrize("text,payee", [
    ("철수에게 3만원 보내줘", "철수"), ("엄마한테 3만원 보내줘", "엄마"), ("어머니께 3만원 보내드려", "어머니"),
    ("엄마한테로 3만원 보내줘", "엄마"), ("엄마 계좌로 3만원 보내줘", "엄마"), ("엄마 앞으로 3만원 송금해줘", "엄마"),
    ("아빠 통장으로 3만원 보내줘", "아빠"), ("김철수님에게 3만원 보내줘", "김철수"), ("철수씨한테 3만원 보내줘", "철수"),
    ("우리 엄마한테 3만원 보내줘", "엄마"), ("엄마의 계좌로 3만원 보내줘", "엄마"), ("엄마 우리은행 계좌로 3만원 보내줘", "엄마"),
    ("엄마 3만원 보내줘", "엄마"), ("선생님께 3만원 보내줘", "선생님"),
    ("send 30000 won to my mom", "mom"), ("send 30000 won to Mom", "Mom"), ("pay chulsoo 20000 won", "chulsoo"),
    ("send mom 30000 won", "mom"), ("transfer 30000 won to Dad's account", "Dad"),
    ("I need to transfer money to my grandma Judith", "Judith"), ("transfer money to Jeff, my son", "Jeff"),
    ("pay Katy Parrow 30000 won please", "Katy Parrow"),
])
def test_payee(text: str, payee: str) -> None:
    assert parse(text).slots.payee == payee


@pytest.mark.parametrize("text", ["나한테 5만원 보내줘", "transfer 30000 won to my savings account",
                                  "엄마한테서 받은 돈", "send money to someone"])
def test_no_payee(text: str) -> None:
    assert parse(text).slots.payee is None


@pytest.mark.parametrize("text,bank", [
    ("케이뱅크 잔액", "kbank"), ("K-Bank balance", "kbank"), ("kbank", "kbank"), ("K 뱅크에서 보내줘", "kbank"),
    ("K뱅크", "kbank"), ("케뱅 잔고", "kbank"), ("우리은행", "woori"), ("우리 은행 잔액", "woori"), ("Woori", "woori"),
    ("woori bank", "woori"), ("우리은행에서 엄마한테 2만원 부쳐줘", "woori"),
    ("send 20000 won to mom from my woori account", "woori"),
])
def test_bank(text: str, bank: str) -> None:
    assert parse(text).slots.bank == bank


@pytest.mark.parametrize("text", ["우리 엄마한테 5만원 보내줘", "우리 집", "엄마 우리은행 계좌로 5만원 보내줘",
                                  "pick bank holidays"])
def test_not_the_users_bank(text: str) -> None:
    assert parse(text).slots.bank is None


def test_source_bank_wins_over_payee_bank() -> None:
    p = parse("케이뱅크에서 엄마 우리은행 계좌로 5만원 보내줘")
    assert (p.slots.bank, p.slots.payee, p.slots.amount) == ("kbank", "엄마", 50000)


@pytest.mark.parametrize("text,payee", [("엄마", "엄마"), ("엄마요", "엄마"), ("철수에게요", "철수"), ("Mom", "Mom"),
                                        ("to my dad", "dad"), ("김철수", "김철수")])
def test_bare_payee_answer(text: str, payee: str) -> None:
    p = parse(text)
    assert p.intent == "unknown" and p.slots.payee == payee


@pytest.mark.parametrize("text", ["안녕", "고마워", "hello", "yes", "네"])
def test_interjections_are_not_payees(text: str) -> None:
    assert parse(text).slots.payee is None
