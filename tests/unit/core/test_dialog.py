"""The conversation state machine, without I/O: CONTRACT §4.1 rule by rule, and random turn
sequences that check the invariants money depends on."""
import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from banking.core.dialog import (
    Facts,
    Limits,
    RecipientCheck,
    State,
    authorisation,
    concerns_transfer,
    decide,
    needs_check,
)
from banking.core.nlu import Parse, Slots
from banking.core.payee_match import Payee

PAYEES = (Payee("엄마", ("어머니", "Mom"), "woori", "4321", b""),
          Payee("아빠", ("아버지", "Dad"), "kbank", "0111", b""))
FACTS = Facts(payees=PAYEES, banks=("kbank", "woori"), primary_bank="kbank",
              limits=Limits(otp_threshold=300_000, per_transfer=1_000_000, daily=2_000_000, used_today=0))


def p(intent="unknown", amount=None, payee=None, bank=None, digits=None, yes_no=None, currency=None):
    return Parse(text="", locale="ko-KR", intent=intent, slots=Slots(amount, payee, bank),
                 currency=currency, yes_no=yes_no, digits=digits)


#: the payees' account holders, registered and as their banks answer the recipient check
HOLDERS = {"엄마": "박미영", "아빠": "김영수"}


def run(*turns, facts=FACTS):
    """Feed (parse, check result) pairs through decide, as banking.voice.turn does (the
    recipient check, when asked for, answering each payee's registered holder)."""
    state, decision = State(), None
    for parse, check in turns:
        kind = needs_check(state, parse)
        f = dataclasses.replace(facts, **({kind: check} if kind and check else {}))
        decision = decide(state, parse, f)
        if "check_recipient" in decision.actions:
            payee = decision.state.payee
            f = dataclasses.replace(f, recipient=RecipientCheck(payee, False, HOLDERS[payee], HOLDERS[payee]))
            decision = decide(state, parse, f)
        state = decision.state
    return decision


def test_transfer_with_all_slots_reads_back_and_awaits_pin():
    d = run((p("transfer", 50_000, "엄마"), None))
    assert d.state.awaiting == "pin" and d.state.status == "in_progress"
    assert d.replies[-1].key == "read_back_holder"
    assert d.replies[-1].params == {"amount": 50_000, "payee": "엄마", "payee_bank": "woori",
                                    "last4": "4321", "source_bank": "kbank", "holder": "박*영"}
    assert d.actions == ()


def test_missing_slots_are_asked_one_at_a_time():
    d = run((p("transfer"), None))
    assert d.state.awaiting == "payee"
    d = run((p("transfer"), None), (p(payee="엄마"), None))
    assert d.state.awaiting == "amount" and d.replies[-1].key == "ask_amount"
    d = run((p("transfer"), None), (p(payee="엄마"), None), (p(amount=30_000), None))
    assert d.state.awaiting == "pin"


def test_correct_pin_is_the_confirmation():
    d = run((p("transfer", 50_000, "엄마"), None), (p(digits="4826"), "ok"))
    assert d.actions == ("verify_session", "transfer") and d.state.status == "completed"


def test_wrong_pin_asks_again_and_locked_rejects():
    d = run((p("transfer", 50_000, "엄마"), None), (p(digits="1111"), "wrong"))
    assert d.state.awaiting == "pin" and d.replies[-1].key == "wrong_code" and not d.actions
    d = run((p("transfer", 50_000, "엄마"), None), (p(digits="1111"), "locked"))
    assert d.state.status == "rejected" and d.replies[-1].key == "locked"


def test_big_transfer_needs_otp_and_three_wrong_codes_reject():
    start = (p("transfer", 300_000, "아빠"), None)
    d = run(start, (p(digits="4826"), "ok"))
    assert d.state.awaiting == "otp" and not d.actions
    d = run(start, (p(digits="4826"), "ok"), (p(digits="000000"), "wrong"))
    assert d.state.awaiting == "otp" and d.replies[-1].key == "wrong_code"
    d = run(start, (p(digits="4826"), "ok"), *[(p(digits="000000"), "wrong")] * 3)
    assert d.state.status == "rejected" and not d.actions
    d = run(start, (p(digits="4826"), "ok"), (p(digits="123456"), "ok"))
    assert d.actions == ("verify_session", "transfer")


def test_change_of_mind_voids_the_authorisation():
    start = (p("transfer", 400_000, "아빠"), None)
    d = run(start, (p(digits="4826"), "ok"), (p(amount=30_000, yes_no=False), None))
    assert d.state.awaiting == "pin" and d.state.authorised is None and d.state.amount == 30_000
    assert d.replies[-1].key == "read_back_holder"


@pytest.mark.parametrize("amount,key", [(1_000_001, "over_per_transfer"), (5_000_000, "over_per_transfer")])
def test_over_per_transfer_limit_rejected_before_any_pin(amount, key):
    d = run((p("transfer", amount, "엄마"), None))
    assert d.state.status == "rejected" and d.replies[-1].key == key and d.state.awaiting is None


def test_over_daily_limit_rejected_saying_what_is_left():
    facts = dataclasses.replace(FACTS, limits=dataclasses.replace(FACTS.limits, used_today=1_900_000))
    d = run((p("transfer", 200_000, "엄마"), None), facts=facts)
    assert d.state.status == "rejected" and d.replies[-1].params["left"] == 100_000


def test_unknown_payee_refused_without_reaching_the_pin():
    d = run((p("transfer", 50_000, "영희"), None))
    assert d.state.status == "rejected" and d.replies[-1].key == "unknown_payee"


def test_near_miss_is_asked_about_never_guessed():
    d = run((p("transfer", 50_000, "움마"), None))
    assert d.state.awaiting == "payee" and d.state.payee is None and d.replies[-1].key == "confirm_payee"
    d = run((p("transfer", 50_000, "움마"), None), (p(yes_no=True), None))
    assert d.state.payee == "엄마" and d.state.awaiting == "pin"
    d = run((p("transfer", 50_000, "움마"), None), (p(yes_no=False), None))
    assert d.state.payee is None and d.replies[-1].key == "ask_payee"


def test_cancel_moves_nothing_and_keeps_the_task():
    d = run((p("transfer", 50_000, "엄마"), None), (p("cancel"), None))
    assert d.state.status == "cancelled" and d.intent == "transfer" and not d.actions
    assert run((p("cancel"), None)).intent == "cancel"


def test_reads_need_a_pin_unless_the_session_is_verified():
    assert run((p("balance"), None)).state.awaiting == "pin"
    assert run((p("balance"), None), (p(digits="4826"), "ok")).actions == ("verify_session", "read")
    verified = dataclasses.replace(FACTS, verified=True)
    assert run((p("transactions"), None), facts=verified).actions == ("read",)
    locked = dataclasses.replace(FACTS, locked=True, verified=True)
    assert run((p("balance"), None), facts=locked).state.status == "rejected"


def test_non_krw_currency_is_refused_and_amount_asked_again():
    d = run((p("transfer", None, "엄마", currency="USD"), None))
    assert d.state.awaiting == "amount" and d.replies[-1].key == "krw_only"


def test_digits_are_checked_only_when_a_factor_is_awaited():
    assert needs_check(State(), p(digits="4826")) is None
    assert needs_check(State(task="transfer", awaiting="amount"), p(digits="4826")) is None
    assert needs_check(State(task="transfer", awaiting="pin"), p(digits="4826")) == "pin"
    assert needs_check(State(task="transfer", awaiting="otp"), p(digits="123456")) == "otp"


# -- properties over random conversations --------------------------------------------------

parses = st.one_of(
    st.builds(p, st.just("transfer"), st.sampled_from([None, 10_000, 50_000, 299_999, 300_000, 900_000, 2_000_000]),
              st.sampled_from([None, "엄마", "아빠", "Mom", "움마", "영희"]), st.sampled_from([None, "kbank", "woori"])),
    st.builds(p, st.just("unknown"), st.sampled_from([None, 20_000, 400_000])),
    st.builds(p, st.just("unknown"), payee=st.sampled_from(["엄마", "dad", "움마"])),
    st.builds(p, st.just("unknown"), digits=st.sampled_from(["4826", "1111", "123456"])),
    st.builds(p, st.just("unknown"), yes_no=st.booleans()),
    st.sampled_from([p("cancel"), p("balance"), p("help"), p("transactions")]),
)
checks = st.sampled_from(["ok", "wrong", "locked"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(parses, checks, st.booleans()), min_size=1, max_size=12))
def test_no_money_without_a_fresh_factor_bound_to_what_was_read_back(turns):
    state = State()
    read_back = None
    for parse, check, locked in turns:
        if state.finished:
            state = State()
            read_back = None
        facts = dataclasses.replace(FACTS, locked=locked)
        kind = needs_check(state, parse)
        if kind:
            facts = dataclasses.replace(facts, **{kind: check})
        before = state
        decision = decide(state, parse, facts)
        if "check_recipient" in decision.actions:  # as the turn does: ask the bank, decide again
            payee = decision.state.payee
            check = RecipientCheck(payee, False, HOLDERS[payee], HOLDERS[payee])
            decision = decide(state, parse, dataclasses.replace(facts, recipient=check))
        state = decision.state
        for reply in decision.replies:
            if reply.key == "read_back_holder":
                read_back = (reply.params["amount"], reply.params["payee"], reply.params["source_bank"])
        if "transfer" in decision.actions:
            # the factor checked in this very turn said ok
            assert kind in ("pin", "otp") and check == "ok" and not locked
            assert before.awaiting == kind and parse.intent != "cancel"
            # what moves is exactly what the person heard
            assert read_back == (state.amount, state.payee, state.bank)
            assert state.authorised == authorisation(state)
            assert state.amount <= FACTS.limits.per_transfer
            if state.amount >= FACTS.limits.otp_threshold:
                assert kind == "otp"
        if parse.intent == "cancel":
            assert state.status == "cancelled" and not decision.actions
        if locked:
            assert "read" not in decision.actions and "transfer" not in decision.actions


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(parses, checks, st.booleans()), min_size=1, max_size=8), st.integers(0, 2_000_000))
def test_payees_and_usage_matter_only_when_the_conversation_concerns_a_transfer(turns, used_today):
    """banking.voice.turn skips reading them otherwise: decide must not tell the difference."""
    bare = dataclasses.replace(FACTS, payees=(), limits=dataclasses.replace(FACTS.limits, used_today=used_today))
    state = State()
    for parse, check, verified in turns:
        if state.finished:
            state = State(locale=state.locale)
        kind = needs_check(state, parse)
        extra = {"verified": verified, **({kind: check} if kind else {})}
        full = decide(state, parse, dataclasses.replace(FACTS, **extra))
        if not concerns_transfer(state, parse):
            assert decide(state, parse, dataclasses.replace(bare, **extra)) == full
        state = full.state
