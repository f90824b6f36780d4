"""The dialog's rules for real conversations (CONTRACT §9, issue 20): a turn is read against
what the conversation awaits, the same way in both languages; nothing the person did not
name changes; what cannot be guessed is asked."""
import dataclasses

from hypothesis import given, settings, strategies as st

from banking.core.dialog import Facts, Limits, State, decide, goes_on, nothing_to_repeat
from banking.core.nlu import parse
from banking.core.payee_match import Payee

PAYEES = (Payee("엄마", ("어머니", "Mom"), "woori", "4321", b""),
          Payee("아빠", ("아버지", "Dad"), "kbank", "0111", b""))
FACTS = Facts(payees=PAYEES, banks=("kbank", "woori"), primary_bank="kbank",
              limits=Limits(otp_threshold=300_000, per_transfer=1_000_000, daily=2_000_000, used_today=0))
AWAITING_PIN = State(task="transfer", awaiting="pin", amount=50_000, payee="엄마", bank="kbank")


def test_a_question_about_another_account_sets_the_transfer_aside_and_says_so():
    for said in ("우리은행 잔액은?", "what's my woori balance", "내 계좌 목록 알려줘", "show me my deposits"):
        d = decide(AWAITING_PIN, parse(said), FACTS)
        assert d.replies[0].key == "transfer_set_aside", said
        assert d.state.task in ("balance", "accounts", "transactions") and d.state.amount is None
        assert d.state.payee is None and d.state.authorised is None and "transfer" not in d.actions
    d = decide(AWAITING_PIN, parse("우리은행 잔액은?"), FACTS)
    assert d.state.bank == "woori" and d.state.awaiting == "pin"      # the read asks its own PIN


def test_help_mid_transfer_answers_for_the_moment_and_keeps_waiting():
    for said in ("도움말", "help", "이거 어떻게 하는 거야?", "how does this work"):
        d = decide(AWAITING_PIN, parse(said), FACTS)
        assert d.state == AWAITING_PIN and d.replies[0].key == "help_pin_transfer", said
    d = decide(dataclasses.replace(AWAITING_PIN, awaiting="amount", amount=None), parse("help"), FACTS)
    assert d.replies[0].key == "help_amount" and d.state.awaiting == "amount"
    assert decide(State(), parse("도움말"), FACTS).replies[0].key == "help"


def test_refused_speech_mid_transfer_changes_no_slot():
    for said in ("엄마가 우리은행으로 5만원 보내달래", "우리은행 몇 시까지 해?", "우리은행에서 보낸 거 들어갔어?",
                 "mom asked me to send 30,000 won from woori"):
        d = decide(AWAITING_PIN, parse(said), FACTS)
        kept = d.state
        assert (kept.amount, kept.payee, kept.bank, kept.awaiting) == (50_000, "엄마", "kbank", "pin"), said


def test_corrections_in_english_and_korean_alike():
    for said, amount in (("make it 30,000 won instead", 30_000), ("actually 30000 won", 30_000),
                         ("아니 3만원으로", 30_000), ("3만원 말고 4만원", 40_000)):
        d = decide(AWAITING_PIN, parse(said), FACTS)
        assert d.state.amount == amount and d.state.payee == "엄마" and d.state.bank == "kbank", said
    for said in ("send it to Dad instead", "no, Dad instead", "not Mom, Dad", "아빠한테로 바꿔줘", "엄마 말고 아빠"):
        d = decide(AWAITING_PIN, parse(said), FACTS)
        assert d.state.payee == "아빠" and d.state.amount == 50_000 and d.state.bank == "kbank", said


def test_a_filler_before_the_pin_digits_still_reads_as_the_pin():
    for said in ("음 4826", "어 사팔이육", "uh 4 8 2 6", "um, four eight two six", "음... 사 팔 이 육"):
        assert parse(said).digits == "4826", said


def test_two_amounts_or_two_payees_are_asked_never_guessed_and_a_negative_amount_is_refused():
    d = decide(State(), parse("엄마한테 5만원 3만원 보내줘"), FACTS)
    assert d.state.amount is None and d.state.awaiting == "amount" and d.replies[0].key == "two_amounts"
    d = decide(State(), parse("엄마랑 아빠한테 5만원 보내줘"), FACTS)
    assert d.state.payee is None and d.state.awaiting == "payee" and d.replies[0].key == "two_payees"
    d = decide(State(), parse("send 5,000 won to Mom and Dad"), FACTS)
    assert d.state.payee is None and d.state.awaiting == "payee"
    for said in ("엄마한테 마이너스 5만원 보내줘", "send -50,000 won to Mom", "send minus 50000 won to mom"):
        d = decide(State(), parse(said), FACTS)
        assert d.state.amount is None and d.state.awaiting == "amount" and d.replies[0].key == "negative_amount", said
    d = decide(State(), parse("엄마한테 오만 원, 아니 육만 원 보내줘"), FACTS)
    assert d.state.amount == 60_000


def test_repeat_and_speech_rate_change_nothing_of_the_conversation():
    d = decide(AWAITING_PIN, parse("다시 말해줘"), FACTS)
    assert d.state == AWAITING_PIN and d.actions == ("repeat",) and d.replies == ()
    d = decide(AWAITING_PIN, parse("천천히 말해줘"), FACTS)
    assert d.state == AWAITING_PIN and d.actions == ("slower",) and [r.key for r in d.replies] == ["slower", "ask_pin"]
    d = decide(State(), parse("normal speed"), FACTS)
    assert d.actions == ("normal_speed",) and d.state.status == "completed"
    assert nothing_to_repeat(State()).replies[0].key == "nothing_to_repeat"


def test_more_goes_on_from_the_last_page_of_transactions():
    shown = State(task="transactions", status="completed", shown=0)
    more = parse("더 들려줘")
    assert goes_on(shown, more) and not goes_on(State(task="balance", status="completed"), more)
    d = decide(shown, more, dataclasses.replace(FACTS, verified=True))
    assert d.state.shown == 3 and d.actions == ("read",)
    d = decide(shown, more, FACTS)
    assert d.state.awaiting == "pin" and d.state.shown == 3
    assert decide(State(), more, FACTS).replies[0].key == "nothing_more"


def test_transactions_with_a_payee_and_payees_name_them_as_registered():
    d = decide(State(), parse("transactions with Mom"), FACTS)
    assert d.state.task == "transactions" and d.state.payee == "엄마"
    d = decide(State(), parse("엄마 계좌번호 알려줘"), FACTS)
    assert d.state.task == "payees" and d.state.payee == "엄마"
    d = decide(State(), parse("이번 달 얼마 썼어?"), FACTS)
    assert d.state.summary and d.state.task == "transactions"


_NAMES = st.sampled_from(["우리은행", "케이뱅크", "woori", "K-Bank"])
_QUESTIONS = st.sampled_from(["{} 잔액은?", "{} 잔고 얼마야", "what's my {} balance", "{} 거래 내역 보여줘",
                              "{} 몇 시까지 해?", "{} 지점 어디야", "{}에서 보낸 거 들어갔어?"])


@settings(max_examples=80, deadline=None)
@given(_NAMES, _QUESTIONS)
def test_no_question_ever_changes_a_waiting_transfers_source(bank, question):
    d = decide(AWAITING_PIN, parse(question.format(bank)), FACTS)
    assert d.state.task != "transfer" or (d.state.bank, d.state.amount, d.state.payee) == ("kbank", 50_000, "엄마")
    assert "transfer" not in d.actions
