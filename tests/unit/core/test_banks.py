"""The bank catalogue as the core reads it: names by locale, what people say for each bank,
the installed one; and what speech and understanding make of a catalogue."""
from __future__ import annotations

from typing import Iterator

import pytest

from adapters import registry
from adapters.base import BankInfo
from adapters.kbank import KBankAdapter
from adapters.woori import WooriAdapter
from banking.core import banks, speech
from banking.core.dialog import Reply
from banking.core.nlu import parse
from banking.core.nlu.bank import grammar

TOSS = BankInfo(code="toss", name_ko="토스뱅크", name_en="Toss Bank", spoken=("토스 뱅크", "toss bank"),
                account_groups=(4, 4, 4))
SUHYUP = BankInfo(code="suhyup", name_ko="수협", name_en="Suhyup Bank", spoken=("수협 은행",),
                  account_groups=(3, 4, 4))


@pytest.fixture
def catalogue_of() -> Iterator[object]:
    """Installs a catalogue for one test, then puts the session's back."""
    before = banks.installed()
    yield lambda *entries: banks.install(banks.Catalogue(entries))
    banks.install(before)


def test_the_installed_catalogue_is_the_adapters_entries_by_code():
    installed = banks.installed()
    assert installed.codes == tuple(bank.code for bank in registry.catalogue())
    assert installed.banks == registry.catalogue()
    assert {KBankAdapter.bank, WooriAdapter.bank} <= set(installed.banks)
    assert "woori" in installed and "toss" not in installed and None not in installed


def test_names_by_locale_and_unknown_codes_as_they_are():
    catalogue = banks.Catalogue([KBankAdapter.bank, WooriAdapter.bank])
    assert catalogue.name("kbank", "ko-KR") == "케이뱅크" and catalogue.name("woori", "en-US") == "Woori Bank"
    assert catalogue.names("en-US") == ["K-Bank", "Woori Bank"]
    assert catalogue.name("toss", "ko-KR") == "toss"


def test_spoken_names_longest_first_whichever_bank_declares_them():
    catalogue = banks.Catalogue([KBankAdapter.bank, WooriAdapter.bank])
    lengths = [len(said) for said, _ in catalogue.spoken]
    assert lengths == sorted(lengths, reverse=True)
    assert ("우리 은행", "woori") in catalogue.spoken and ("케뱅", "kbank") in catalogue.spoken


def test_nothing_installed_is_said_plainly(monkeypatch):
    monkeypatch.setattr(banks, "_installed", None)
    with pytest.raises(LookupError, match="install_banks"):
        banks.installed()


def test_spaces_and_hyphens_in_a_spoken_name_are_optional():
    for text in ("케이뱅크에서 보내줘", "케이 뱅크에서 보내줘", "kbank에서 보내줘", "K - Bank에서 보내줘", "k-bank에서 보내줘"):
        assert parse(f"{text} 엄마한테 만원").slots.bank == "kbank", text
    # a Latin name is a word of its own
    assert parse("bookbank balance").slots.bank is None


def test_the_hints_are_the_names_telling_words(catalogue_of):
    catalogue_of(KBankAdapter.bank, WooriAdapter.bank)
    # `우리` alone is "our": it is never the word that lets an utterance reach the bank patterns
    assert set(grammar().hints.pattern.split("|")) == {"뱅크", "은행", "bank", "woori", "케뱅", "뱅킹", "우리은"}


def test_a_catalogue_is_heard_and_spoken(catalogue_of):
    catalogue_of(KBankAdapter.bank, TOSS, SUHYUP)
    assert parse("토스뱅크에서 아빠한테 2만원 보내줘").slots.bank == "toss"
    assert parse("수협은행 잔액 알려줘").slots.bank == "suhyup"
    assert parse("우리은행에서 엄마한테 만원 보내줘").slots.bank is None  # not installed here
    assert speech.bank_name("toss", "en-US") == "Toss Bank"
    # ordered by how they were installed (the registry orders by code)
    assert speech.sentence(Reply("ask_bank"), "ko-KR").text.endswith("케이뱅크, 토스뱅크 또는 수협이라고 말씀해 주세요.")
    assert speech.sentence(Reply("ask_bank"), "en-US").text.endswith("Say K-Bank, Toss Bank or Suhyup Bank.")


@pytest.mark.parametrize(("entries", "ko"), [
    ((TOSS,), "토스뱅크라고"),
    ((SUHYUP,), "수협이라고"),
    ((BankInfo("kb", "KB", "KB", ("kb bank",), (3,)),), "KB(이)라고"),
])
def test_the_quoting_particle_follows_the_last_name(catalogue_of, entries, ko):
    catalogue_of(*entries)
    assert speech.installed_banks("ko-KR").text == ko


def test_two_banks_read_back_as_before(catalogue_of):
    catalogue_of(KBankAdapter.bank, WooriAdapter.bank)
    assert speech.sentence(Reply("ask_bank"), "ko-KR").text == \
        "어느 은행 계좌에서 보낼까요? 케이뱅크 또는 우리은행이라고 말씀해 주세요."
    assert speech.sentence(Reply("ask_bank"), "en-US").text == \
        "Which account should I send it from? Say K-Bank or Woori Bank."
