import pytest

from banking.core.payee_match import Payee, match

PAYEES = (Payee("엄마", ("어머니", "Mom"), "woori", "4321", b""),
          Payee("아빠", ("아버지", "Dad"), "kbank", "0111", b""),
          Payee("김철수", ("철수", "Chulsoo"), "woori", "2333", b""))


@pytest.mark.parametrize("spoken,name", [("엄마", "엄마"), ("어머니", "엄마"), ("mom", "엄마"), ("MOM", "엄마"),
                                         ("엄마님", "엄마"), ("아버지", "아빠"), ("dad", "아빠"), ("철수", "김철수"),
                                         ("김 철수", "김철수"), ("chulsoo", "김철수")])
def test_names_and_aliases_match(spoken, name):
    assert match(spoken, PAYEES).payee.name == name


@pytest.mark.parametrize("spoken,near", [("움마", "엄마"), ("철쑤", "김철수"), ("mum", "엄마"), ("아바", "아빠")])
def test_near_misses_are_offered_not_taken(spoken, near):
    found = match(spoken, PAYEES)
    assert found.payee is None and found.near_miss.name == near


@pytest.mark.parametrize("spoken", ["영희", "boss", "", "x"])
def test_strangers_match_nothing(spoken):
    assert match(spoken, PAYEES) == match(spoken, PAYEES) and match(spoken, PAYEES).payee is None
    assert match(spoken, PAYEES).near_miss is None
