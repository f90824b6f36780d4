import pytest

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
