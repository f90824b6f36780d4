"""The channel layer's pure parts: platform intents and slots onto the NLU's `Parse`, the
Alexa certificate URL rules, and the interaction model."""
from __future__ import annotations

import json
import re

import pytest

from banking.assistants import channel
from banking.assistants.alexa import model
from banking.assistants.alexa.verify import Refused, check_url
from banking.core.nlu import parse
from banking.demo.seed import DEMO_PAYEES


def test_transfer_maps_to_the_parse_the_nlu_makes_of_the_words():
    parsed, said = channel.understand("transfer", "ko-KR", amount="50000", payee="엄마", bank="kbank")
    spoken = parse("케이뱅크에서 엄마한테 5만원 보내줘", "ko-KR")
    assert parsed.intent == spoken.intent == "transfer"
    assert parsed.slots == spoken.slots
    assert said == "transfer amount=50000 payee=엄마 bank=kbank"


def test_a_pin_is_digits_and_never_in_what_the_trail_keeps():
    parsed, said = channel.understand("pin", "en-US", digits="4826")
    assert parsed.digits == parse("4826").digits == "4826" and parsed.intent == "unknown"
    assert said == "pin" and "4826" not in said


def test_a_code_keeps_its_leading_zeros():
    assert channel.understand("code", "en-US", digits="12345")[0].digits == "012345"


@pytest.mark.parametrize("digits", [None, "", "12a4", "４８２６", "1" * 13, "-123"])
def test_what_is_not_digits_is_no_pin(digits):
    assert channel.understand("pin", "en-US", digits=digits)[0].digits is None


@pytest.mark.parametrize(("action", "intent"), [("balance", "balance"), ("accounts", "accounts"), ("help", "help"),
                                               ("cancel", "cancel"), ("fallback", "unknown"), ("payees", "payees")])
def test_actions_are_the_nlus_intents(action, intent):
    parsed, _ = channel.understand(action, "ko-KR", amount="1000", payee="엄마")
    assert parsed.intent == intent
    assert parsed.slots.amount is None


def test_answers_and_commands():
    assert channel.understand("yes", "en-US")[0].yes_no is True
    assert channel.understand("no", "en-US")[0].yes_no is False
    assert channel.understand("repeat", "en-US")[0].command == "repeat"


@pytest.mark.parametrize(("said", "code"), [("kbank", "kbank"), ("woori", "woori"), ("케이뱅크", "kbank"),
                                            ("Woori Bank", "woori"), ("nobank", None), (None, None), ("x" * 100, None)])
def test_banks_by_code_or_name(said, code):
    assert channel.bank_code(said) == code


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1e5", "9" * 20])
def test_amounts_that_are_not_money(amount):
    assert channel.understand("transfer", "en-US", amount=amount)[0].slots.amount is None


def test_reprompts_only_for_what_is_awaited():
    assert channel.reprompt_key("pin") == "assistant_reprompt_pin"
    assert channel.reprompt_key(None) is None


@pytest.mark.parametrize("url", [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "HTTPS://s3.amazonaws.com/echo.api/x.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
])
def test_amazons_valid_certificate_urls(url):
    check_url(url)


@pytest.mark.parametrize("url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../../etc/cert.pem",
    "https://user@evil.example/echo.api/cert.pem",
    "https://s3.amazonaws.com:99999/echo.api/cert.pem",
    "s3.amazonaws.com/echo.api/cert.pem",
    "https://s3.amazonaws.com" + "/echo.api/x" * 400,
])
def test_amazons_invalid_certificate_urls(url):
    with pytest.raises(Refused):
        check_url(url)


def test_interaction_model_has_the_contracts_intents_and_slots():
    built = model.build([(name, aliases) for name, _, _, aliases in DEMO_PAYEES])["interactionModel"]["languageModel"]
    intents = {i["name"]: {s["name"]: s["type"] for s in i["slots"]} for i in built["intents"]}
    assert intents["TransferIntent"] == {"amount": "AMAZON.NUMBER", "payee": "PAYEE", "bank": "BANK"}
    assert intents["PinIntent"] == {"pin": "AMAZON.FOUR_DIGIT_NUMBER"}
    assert intents["CodeIntent"] == {"code": "AMAZON.NUMBER"}
    assert intents["BalanceIntent"] == intents["TransactionsIntent"] == {"bank": "BANK"}
    for name in ("AccountsIntent", "PayeesIntent", "RepeatIntent", "AMAZON.HelpIntent", "AMAZON.CancelIntent",
                 "AMAZON.StopIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.FallbackIntent"):
        assert name in intents
    types = {t["name"]: t["values"] for t in built["types"]}
    mom = next(v for v in types["PAYEE"] if v["id"] == "엄마")
    assert mom["name"]["value"] == "Mom" and set(mom["name"]["synonyms"]) == {"엄마", "어머니"}
    assert {"kbank", "woori"} <= {v["id"] for v in types["BANK"]}
    for intent in built["intents"]:  # every slot a sample names is declared
        for sample in intent["samples"]:
            for slot in re.findall(r"\{(\w+)\}", sample):
                assert slot in {s["name"] for s in intent["slots"]}, (intent["name"], sample)


def test_the_shipped_model_is_the_demo_households():
    shipped = json.loads(model.SHIPPED.read_text(encoding="utf-8"))
    assert shipped == model.build([(name, aliases) for name, _, _, aliases in DEMO_PAYEES])
