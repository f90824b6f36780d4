"""Calling a held transfer back (CONTRACT §8), without I/O: the cue in understanding, the
dialog's read-back and PIN, and the time said as people say it."""
import dataclasses
import datetime as dt

import pytest

from banking.core.dialog import Facts, Limits, Recall, State, concerns_recall, decide, needs_check
from banking.core.nlu import parse
from banking.core.speech import clock_time, render

FACTS = Facts(payees=(), banks=("kbank", "woori"), primary_bank="kbank",
              limits=Limits(otp_threshold=300_000, per_transfer=1_000_000, daily=2_000_000, used_today=0))
AT = dt.datetime(2026, 3, 2, 6, 20, tzinfo=dt.UTC)  # 15:20 in Seoul
HELD = Recall("tr_1", "held", 50_000, "엄마", "kbank", AT)


@pytest.mark.parametrize("text", ["방금 보낸 거 취소해줘", "이체 취소해줘", "이체 취소", "송금 취소해 줘",
                                  "cancel that transfer", "cancel the transfer", "Cancel my last transfer"])
def test_recall_is_heard(text):
    assert parse(text).recall


@pytest.mark.parametrize("text", ["취소", "그만", "cancel", "never mind", "엄마한테 5만원 보내줘", "이체 취소하지 마",
                                  "잔액 알려줘", "don't cancel the transfer"])
def test_plain_cancel_and_others_are_not_recall(text):
    assert not parse(text).recall


def turn(state, text, facts, check=None):
    parsed = parse(text)
    kind = needs_check(state, parsed)
    facts = dataclasses.replace(facts, **({kind: check} if kind and check else {}))
    return decide(state, parsed, facts)


def test_recall_reads_back_then_cancels_after_the_pin():
    facts = dataclasses.replace(FACTS, recall=HELD)
    assert concerns_recall(State(), parse("이체 취소"))
    d = turn(State(), "방금 보낸 거 취소해줘", facts)
    assert (d.intent, d.state.awaiting, d.state.recall) == ("transfer", "pin", "tr_1")
    assert d.replies[-1].key == "recall_read_back" and d.replies[-1].params["at"] == AT
    wrong = turn(d.state, "1111", FACTS, "wrong")
    assert wrong.state.awaiting == "pin" and wrong.actions == ()
    ok = turn(wrong.state, "4826", FACTS, "ok")
    assert (ok.intent, ok.state.status) == ("transfer", "completed") and "recall" in ok.actions
    assert "transfer" not in ok.actions


def test_recall_locked_and_cancelled_midway():
    facts = dataclasses.replace(FACTS, recall=HELD)
    d = turn(State(), "이체 취소", facts)
    assert turn(d.state, "4826", FACTS, "locked").state.status == "rejected"
    stopped = turn(d.state, "그만", FACTS)
    assert stopped.state.status == "cancelled" and stopped.actions == ()
    assert turn(State(), "이체 취소", dataclasses.replace(facts, locked=True)).state.status == "rejected"


@pytest.mark.parametrize("recall,key", [(None, "nothing_held"),
                                        (dataclasses.replace(HELD, status="completed"), "already_sent"),
                                        (dataclasses.replace(HELD, status="pending"), "already_sent"),
                                        (dataclasses.replace(HELD, status="cancelled"), "nothing_held")])
def test_nothing_to_call_back(recall, key):
    d = turn(State(), "cancel that transfer", dataclasses.replace(FACTS, recall=recall))
    assert (d.intent, d.state.status, d.state.awaiting) == ("transfer", "completed", None)
    assert d.replies[-1].key == key and d.actions == ()


def test_mid_transfer_the_cue_cancels_the_conversation():
    state = State(task="transfer", awaiting="pin", amount=50_000, payee="엄마", bank="kbank")
    d = turn(state, "이체 취소", FACTS)
    assert d.state.status == "cancelled" and d.intent == "transfer"


@pytest.mark.parametrize("at,ko,en", [
    (AT, "오후 3시 20분", "3:20 PM"),
    (dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC), "오전 9시", "9:00 AM"),
    (dt.datetime(2026, 3, 2, 3, 5, tzinfo=dt.UTC), "오후 12시 5분", "12:05 PM"),
    (dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), "오전 12시 30분", "12:30 AM"),
])
def test_the_time_in_seoul_as_people_say_it(at, ko, en):
    assert clock_time(at, "ko-KR") == ko and clock_time(at, "en-US") == en


def test_held_speech_says_when():
    from banking.core.dialog import Reply

    said = render("ko-KR", "transfer", [Reply("transfer_held", {"payee": "엄마", "amount": 50_000, "at": AT})])
    assert "오후 3시 20분에 보내 드릴게요" in said.speech and "5만 원" in said.speech
    said = render("en-US", "transfer", [Reply("transfer_held", {"payee": "엄마", "amount": 50_000, "at": AT})])
    assert "at 3:20 PM" in said.speech
