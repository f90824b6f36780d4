"""The recipient check in the dialog, without I/O (CONTRACT §10): the dialog asks the turn to
run it before any read-back, decides on its outcome, and remembers the confirmed holder."""
import dataclasses

from hypothesis import given, strategies as st

from banking.core.dialog import Facts, Limits, RecipientCheck, State, decide, mask_holder
from banking.core.nlu import Parse, Slots
from banking.core.payee_match import Payee

PAYEES = (Payee("엄마", ("Mom",), "woori", "4321", b""), Payee("아빠", ("Dad",), "kbank", "0111", b""))
FACTS = Facts(payees=PAYEES, banks=("kbank", "woori"), primary_bank="kbank",
              limits=Limits(otp_threshold=300_000, per_transfer=1_000_000, daily=2_000_000, used_today=0))


def p(intent="unknown", amount=None, payee=None, digits=None):
    return Parse(text="", locale="ko-KR", intent=intent, slots=Slots(amount, payee, None), digits=digits)


def checked(payee, holder, registered, failed=False):
    return dataclasses.replace(FACTS, recipient=RecipientCheck(payee, failed, holder, registered))


def test_the_check_is_asked_for_before_any_read_back():
    d = decide(State(), p("transfer", 30_000, "엄마"), FACTS)
    assert d.actions == ("check_recipient",) and d.state.awaiting is None and d.replies == ()


def test_a_matching_holder_is_read_back_masked_and_remembered():
    d = decide(State(), p("transfer", 30_000, "엄마"), checked("엄마", "박미영", "박미영"))
    assert d.state.awaiting == "pin" and (d.state.checked_payee, d.state.holder) == ("엄마", "박*영")
    assert d.replies[-1].key == "read_back_holder" and d.replies[-1].params["holder"] == "박*영"
    # the PIN turn decides without asking again
    pin = decide(d.state, p(digits="4826"), dataclasses.replace(FACTS, pin="ok"))
    assert pin.actions == ("verify_session", "transfer")
    # a new amount keeps the check; a new payee asks again
    assert decide(d.state, p(amount=20_000), FACTS).state.awaiting == "pin"
    assert decide(d.state, p(payee="아빠"), FACTS).actions == ("check_recipient",)


def test_names_compare_whatever_the_spacing():
    assert decide(State(), p("transfer", 30_000, "엄마"), checked("엄마", "박 미영", "박미영")).state.awaiting == "pin"


def test_a_mismatch_is_rejected_before_any_pin():
    d = decide(State(), p("transfer", 30_000, "엄마"), checked("엄마", "홍길동", "박미영"))
    assert (d.state.status, d.state.awaiting, d.actions) == ("rejected", None, ())
    assert d.replies[-1].key == "recipient_mismatch" and "홍길동" not in str(d.replies)


def test_no_such_account_is_rejected():
    d = decide(State(), p("transfer", 30_000, "엄마"), checked("엄마", None, "박미영"))
    assert d.state.status == "rejected" and d.replies[-1].key == "recipient_mismatch"


def test_a_failed_inquiry_fails_the_transfer_before_any_pin():
    d = decide(State(), p("transfer", 30_000, "엄마"), checked("엄마", None, "박미영", failed=True))
    assert (d.state.status, d.state.awaiting, d.actions) == ("failed", None, ())
    assert d.replies[-1].key == "recipient_unconfirmed" and d.replies[-1].params["payee_bank"] == "woori"


def test_a_payee_enrolled_without_a_holder_hears_the_banks():
    d = decide(State(), p("transfer", 30_000, "엄마"), checked("엄마", "박미영", None))
    assert d.state.awaiting == "pin" and d.state.holder == "박*영"


def test_an_answer_about_another_payee_is_not_used():
    d = decide(State(), p("transfer", 30_000, "엄마"), checked("아빠", "김영수", "김영수"))
    assert d.actions == ("check_recipient",)


@given(st.text(alphabet="김이박최정강조윤장임미영수철하나", min_size=1, max_size=6))
def test_a_masked_name_keeps_only_its_first_and_last_letters(name):
    masked = mask_holder(name)
    assert len(masked) == len(name) and masked[0] == name[0]
    if len(name) > 2:
        assert masked[-1] == name[-1] and set(masked[1:-1]) == {"*"}
    assert mask_holder("박미영") == "박*영" and mask_holder("김철") == "김*" and mask_holder("남궁민수") == "남**수"
