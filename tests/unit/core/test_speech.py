import datetime as dt

import pytest

from adapters.base import Transaction
from banking.core import speech
from banking.core.dialog import Reply


@pytest.mark.parametrize("amount,text", [(50_000, "5만 원"), (35_000, "3만 5천 원"), (23_500, "2만 3,500원"),
                                         (10_000, "1만 원"), (1_250_000, "125만 원"), (3_000, "3천 원"),
                                         (120_000_000, "1억 2000만 원"), (0, "0원")])
def test_korean_amounts_read_as_people_say_them(amount, text):
    assert speech.won(amount, "ko-KR").text == text


def test_english_amounts_and_ssml():
    spoken = speech.won(50_000, "en-US")
    assert spoken.text == "50,000 won"
    assert '<say-as interpret-as="cardinal">50000</say-as>' in spoken.ssml


def test_ssml_escapes_user_text_and_wraps_in_speak():
    rendered = speech.render("ko-KR", "transfer", [Reply("unknown_payee", {"spoken": "<b>&"})])
    assert rendered.ssml.startswith("<speak>") and rendered.ssml.endswith("</speak>")
    assert "<b>" not in rendered.ssml and "&lt;b&gt;&amp;" in rendered.ssml
    assert "<b>&" in rendered.speech


def test_read_back_names_masked_account_only():
    reply = Reply("read_back", {"amount": 50_000, "payee": "엄마", "payee_bank": "woori", "last4": "4321",
                                "source_bank": "kbank"})
    rendered = speech.render("ko-KR", "transfer", [reply])
    assert "***-***-4321" in rendered.speech and "5만 원" in rendered.speech and "케이뱅크" in rendered.speech
    assert rendered.card["title"] == "송금"


def test_wrong_pin_and_wrong_code_sound_the_same():
    # one reply key serves both factors: nothing says which one failed
    for locale in ("ko-KR", "en-US"):
        assert "PIN" not in speech.TEMPLATES[locale]["wrong_code"]
        assert "OTP" not in speech.TEMPLATES[locale]["wrong_code"]


def test_every_template_exists_in_both_languages():
    assert speech.TEMPLATES["ko-KR"].keys() == speech.TEMPLATES["en-US"].keys()


def test_a_balance_read_is_worded_for_the_card_and_the_voice():
    one = speech.balances([{"bank": "kbank", "number_masked": "***-***-6789", "balance": 1_250_000}], "ko-KR")
    assert one.card_lines == ["케이뱅크 ***-***-6789: 125만 원."]
    assert one.reply == Reply("balance_one", {"bank": "kbank", "balance": 1_250_000})
    two = speech.balances([{"bank": "kbank", "number_masked": "***-***-6789", "balance": 50_000},
                           {"bank": "woori", "number_masked": "***-***-8901", "balance": 3_000}], "en-US")
    assert two.reply.key == "balance_many"
    assert two.reply.params["items"].text == "K-Bank 50,000 won, Woori Bank 3,000 won"


def test_a_page_of_transactions_speaks_three_and_says_how_many_more():
    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    page = [speech.Listed(Transaction("kbank", at, amount, "<김철수>", 0), "<김철수>") for amount in (-50_000, 30_000, 1_000)]
    told = speech.transactions(page, 4, False, None, "ko-KR")
    assert told.more == (Reply("transactions_more", {"count": 4}),)
    assert told.card_lines[0] == "3월 2일 <김철수> 5만 원 출금." and len(told.card_lines) == 4
    assert told.card_lines[-1].startswith("4건 더 있어요.")
    assert "&lt;김철수&gt;" in told.reply.params["items"].ssml
    assert speech.transactions([], 0, False, None, "en-US") == speech.Answer(Reply("no_transactions"), [])
    assert speech.transactions([], 0, True, None, "en-US").reply.key == "no_more_transactions"


def test_accounts_are_listed_with_the_primary_one_marked():
    told = speech.accounts([{"bank": "kbank", "name": "입출금", "number_masked": "***-***-6789", "primary": True},
                            {"bank": "woori", "name": "저축", "number_masked": "***-***-8901", "primary": False}],
                           "ko-KR")
    assert told.card_lines == ["케이뱅크 입출금 ***-***-6789 · 주 계좌", "우리은행 저축 ***-***-8901"]
    assert told.reply.params["items"].text == "케이뱅크 입출금 (주 계좌), 우리은행 저축"
