"""The product must never move money on these: questions, past tense, negation, other
objects, talk about money, scheduling. Polite requests phrased as questions are transfers."""
from __future__ import annotations

import pytest

from banking.core.nlu import parse

QUESTIONS = ["보냈어?", "들어갔어?", "엄마한테 보낸 돈 들어갔어?", "송금 됐어?", "엄마한테 5만원 보낼 수 있어?",
             "엄마한테 5만원 보내?", "누구한테 보냈어?", "how do I send money?", "did my transfer go through?",
             "can I transfer money abroad?", "can I send money to anyone?", "how can I send money to mom",
             "why was my transfer declined?", "is there a fee for sending money", "where is my transfer"]
PAST = ["어제 보냈어", "보낸 돈", "엄마한테 5만원 보냈어", "어제 엄마한테 송금했잖아", "I sent 50000 won to mom",
        "I already transferred the money", "mom sent me money", "the money was transferred"]
NEGATION = ["보내지 마", "보내지 말아줘", "안 보낼래", "엄마한테 돈 보내지 마", "송금하지 마세요", "이체하지 말아 줘",
            "don't send money to mom", "do not transfer", "never send money to Chulsoo", "I don't want to send money"]
OBJECTS = ["메일 보내줘", "문자 보내줘", "사진 보내줘", "카톡 보내줘", "엄마한테 문자 보내줘", "편지 부쳐줘", "택배 부쳐줘",
           "이 파일 철수한테 보내줘", "send a text to dad", "send an email", "send mom a photo",
           "send the file to my boss", "transfer me to a human", "transfer the photos to my laptop"]
MONEY_TALK = ["오만원은 큰 돈이야", "이체 한도가 얼마야?", "수수료 얼마야", "what's the transfer limit", "how much does a transfer cost",
              "송금 수수료 있어?", "해외 송금 돼?"]
OTHER = ["엄마가 용돈 보내준대", "엄마한테 5만원 보낼게", "내일 엄마한테 5만원 보내줘", "send mom 50000 won tomorrow",
         "좋은 하루 보내세요", "주말 잘 보내", "나한테 5만원 보내줘", "엄마한테 보내줄까?", "pay my phone bill",
         "엄마한테 돈 보내야 되는데", "엄마한테 5만원?", "엄마가 5만원 보내달래", "mom asked me to send 50,000 won"]


@pytest.mark.parametrize("text", QUESTIONS + PAST + NEGATION + OBJECTS + MONEY_TALK + OTHER)
def test_never_a_transfer(text: str) -> None:
    p = parse(text)
    assert p.intent != "transfer", (text, p)


@pytest.mark.parametrize("text", PAST + NEGATION + OBJECTS)
def test_refused_send_carries_no_slots(text: str) -> None:
    """A refused send verb must not leave an amount or payee a dialog could act on."""
    p = parse(text)
    assert p.slots.amount is None and p.slots.payee is None, (text, p)


@pytest.mark.parametrize("text", ["이체 한도가 얼마야?", "수수료 얼마야", "what's the transfer limit", "how do I send money?",
                                  "송금은 어떻게 해?"])
def test_questions_about_transfers_are_help(text: str) -> None:
    assert parse(text).intent == "help"


@pytest.mark.parametrize("text", [
    "엄마한테 5만원 보내줘", "엄마한테 5만원 보내줄래?", "엄마한테 5만원 보내 줄 수 있어?", "보내 줄 수 있어? 엄마한테 5만원",
    "철수한테 이만 원만 보내주면 안 돼?", "아빠한테 삼만원 보내 주실 수 있나요?", "can you send 5만원 to mom",
    "can you send 50,000 won to mom?", "could you transfer 20000 won to Dad please", "can I send 20,000 won to mom",
    "would you mind sending 10000 won to dad", "송금하고 싶어", "엄마한테 돈 보내줘", "I need to make an urgent transfer to Bob, can you do it?",
    "i need $20000 transferred from my savings to my checking",
])
def test_polite_requests_are_transfers(text: str) -> None:
    assert parse(text).intent == "transfer", text


@pytest.mark.parametrize("text,reason", [("보냈어?", "past"), ("보내지 마", "negation"), ("문자 보내줘", "object"),
                                         ("I sent money", "past"), ("send an email", "object")])
def test_reason_is_kept_for_audit(text: str, reason: str) -> None:
    assert parse(text).reason == reason
