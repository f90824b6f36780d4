"""Property tests, one per phenomenon of issue 20. The sentences are built here from word
lists and the independent number renderers (`renderers.py`), not from the grammar's own
patterns, so a rule that only fits its examples fails them."""
from __future__ import annotations

import random

from hypothesis import assume, given, settings, strategies as st

from banking.core.nlu import parse
from tests.unit.core.nlu.renderers import english_words, korean_digit_unit, korean_sino, spoken_digits

KIN = ["엄마", "아빠", "할머니", "할아버지", "언니", "오빠", "누나", "동생", "이모", "고모", "삼촌", "아들", "딸"]
NAMES = ["철수", "영희", "민수", "지현", "수진", "김철수", "박민영", "이서준", "최유리", "정하늘"]
PARTICLES = ["한테", "에게", "께"]
EN_NAMES = ["Mom", "Dad", "Jenny", "Chulsoo", "Minsu", "Grandma", "Sarah"]

# amounts people say: 1,000 to 900,000 won in steps a person would use
amounts = st.integers(1, 900).map(lambda n: n * 1000)


@st.composite
def korean_amount(draw: st.DrawFn) -> tuple[int, str]:
    n = draw(amounts)
    form = draw(st.sampled_from(["sino", "spaced", "digits", "comma"]))
    if form == "sino":
        said = korean_sino(n)
    elif form == "spaced":
        said = korean_sino(n, spaced=True)
    elif form == "digits":
        said = korean_digit_unit(n)
    else:
        said = f"{n:,}"
    return n, said + draw(st.sampled_from(["원", " 원"]))


@st.composite
def english_amount(draw: st.DrawFn) -> tuple[int, str]:
    n = draw(amounts)
    said = draw(st.sampled_from([f"{n:,}", english_words(n)]))
    return n, said + " won"


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(KIN + NAMES), st.sampled_from(["", *PARTICLES]), korean_amount(),
       st.sampled_from(["", "요", "이요", "만"]))
def test_terse_korean_name_and_amount_is_a_transfer(name, particle, amount, tail):
    value, said = amount
    assume(particle or name in KIN or len(name) >= 2)
    p = parse(f"{name}{particle} {said}{tail}")
    assert (p.intent, p.slots.amount, p.slots.payee) == ("transfer", value, name), p
    assert parse(f"{name}{particle} {said}?").intent != "transfer"      # asked, not told


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(EN_NAMES), english_amount(), st.booleans())
def test_terse_english_name_and_amount_is_a_transfer(name, amount, amount_first):
    value, said = amount
    text = f"{said} to {name}" if amount_first else f"{name}, {said}"
    p = parse(text)
    assert (p.intent, p.slots.amount, p.slots.payee) == ("transfer", value, name), p


DIALECT = ["보내도", "보내주이소", "보내주소", "부쳐주쇼", "보내줍서", "보내주랑께", "보내주게", "송금해주이소",
           "이체해주소", "보내주래이", "부쳐도", "보내도고", "보내줘잉"]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(KIN + NAMES), st.sampled_from(PARTICLES), korean_amount(), st.sampled_from(DIALECT),
       st.sampled_from(["", "예", "요"]))
def test_regional_imperatives_send(name, particle, amount, ending, politeness):
    value, said = amount
    assume(not (ending.endswith("잉") and politeness))
    p = parse(f"{name}{particle} {said} {ending}{politeness}")
    assert (p.intent, p.slots.amount, p.slots.payee) == ("transfer", value, name), p


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(NAMES), st.sampled_from(["님", "씨"]), st.sampled_from(["", " "]), st.sampled_from(PARTICLES),
       korean_amount())
def test_a_title_apart_from_its_particle_still_names_the_payee(name, title, gap, particle, amount):
    value, said = amount
    p = parse(f"{name} {title}{gap}{particle} {said} 보내줘")
    assert (p.intent, p.slots.payee, p.slots.amount) == ("transfer", name, value), p


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(KIN + NAMES), st.sampled_from(KIN + NAMES), korean_amount(), st.sampled_from(["", "한테"]))
def test_x_malgo_y_takes_y(first, second, amount, particle):
    assume(first != second)
    value, said = amount
    p = parse(f"{first}{particle} 말고 {second}한테 {said} 보내줘")
    assert (p.intent, p.slots.payee, p.slots.amount) == ("transfer", second, value), p


@settings(max_examples=80, deadline=None)
@given(korean_amount(), korean_amount())
def test_an_amount_taken_back_gives_the_later_one(a, b):
    assume(a[0] != b[0])
    assert parse(f"엄마한테 {a[1]} 말고 {b[1]} 보내줘").slots.amount == b[0]
    assert parse(f"엄마한테 {a[1]}, 아니 {b[1]} 보내줘").slots.amount == b[0]
    both = parse(f"엄마한테 {a[1]} {b[1]} 보내줘")
    assert both.slots.amount is None and both.problem == "two_amounts"      # asked, never guessed


READS = {"잔액": "balance", "잔고": "balance", "거래 내역": "transactions", "최근 거래": "transactions",
         "계좌 목록": "accounts"}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(READS)), st.sampled_from(sorted(READS)), st.sampled_from(["알려줘", "보여줘", "", "좀 알려 줄래"]))
def test_a_read_taken_back_asks_for_the_other(first, second, verb):
    assume(READS[first] != READS[second])
    assert parse(f"{first} 말고 {second} {verb}".strip()).intent == READS[second]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["", "내 ", "나 ", "제 "]), st.sampled_from(["계좌", "통장", "은행 계좌"]),
       st.sampled_from(["", "가", "이", "는"]), st.sampled_from(["", "총 ", "모두 ", "전부 "]),
       st.sampled_from(["몇 개야", "몇 개 있어", "몇 개지", "몇 개예요", "몇 개나 돼", "몇 개 있는지 알려줘"]))
def test_questions_that_count_accounts(owner, noun, particle, total, ask):
    assume(not (noun.endswith("통장") and particle == "가") and not (noun.endswith("계좌") and particle == "이"))
    assert parse(f"{owner}{noun}{particle} {total}{ask}").intent == "accounts"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["how many", "tell me how many", "do you know how many"]),
       st.sampled_from(["", "bank ", "savings ", "checking "]), st.sampled_from(["do I have", "have I got", "are linked"]))
def test_english_questions_that_count_accounts(start, kind, end):
    assert parse(f"{start} {kind}accounts {end}").intent == "accounts"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["", "이거 ", "이건 ", "이 서비스 "]),
       st.sampled_from(["어떻게 쓰는", "어떻게 사용하는", "어떻게 이용하는", "어떻게 하는"]),
       st.sampled_from(["거야", "거예요", "건가요", "거지", "거야?"]))
def test_how_does_this_work_is_help(subject, how, end):
    assert parse(f"{subject}{how} {end}").intent == "help"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["how does", "how do", "so how does"]), st.sampled_from(["this", "it", "this app", "this thing"]),
       st.sampled_from(["work", "work exactly", "work?"]))
def test_english_how_does_this_work_is_help(how, what, end):
    assert parse(f"{how} {what} {end}").intent == "help"


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["show me", "list", "show", "list all"]), st.sampled_from(["my", "all my", "my recent", "the"]),
       st.sampled_from(["deposits", "transfers", "payments", "withdrawals"]))
def test_english_list_reads_are_transactions(verb, owner, thing):
    assume(not (verb.endswith("all") and owner.startswith("all")))
    assert parse(f"{verb} {owner} {thing}").intent == "transactions"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["what came into", "what came in to", "what's come into"]),
       st.sampled_from(["my account", "my savings", "my checking account", "my woori account"]))
def test_what_came_into_is_transactions(start, place):
    assert parse(f"{start} {place}").intent == "transactions"


WHO = ["엄마가", "아빠가", "철수가", "동생이", "친구가", "할머니가", "사장님이", "누나가"]
REPORTING = ["보내달래", "보내 달래요", "보내 달라고 했어", "보내 달라는데", "보내라고 하셨어", "부쳐 달래", "송금해 달라던데",
             "이체해 달라더라", "보내래"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(WHO), korean_amount(), st.sampled_from(REPORTING), st.sampled_from(["", "나한테 ", "자기한테 "]))
def test_reported_speech_never_starts_a_transfer(who, amount, reporting, to):
    p = parse(f"{who} {to}{amount[1]} {reporting}")
    assert p.intent != "transfer" and p.slots.amount is None, p


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["mom", "my dad", "Jenny", "my brother", "he", "she", "my boss"]),
       st.sampled_from(["asked me to send", "told me to transfer", "wants me to send", "needs me to wire",
                        "said to send", "asked if I could send"]),
       english_amount(), st.sampled_from(["", " to her", " to him"]))
def test_english_reported_speech_never_starts_a_transfer(who, frame, amount, to):
    assert parse(f"{who} {frame} {amount[1]}{to}").intent != "transfer"


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["우리은행", "케이뱅크", "은행"]),
       st.sampled_from(["몇 시까지 해?", "몇 시에 문 열어", "영업시간 알려줘", "지점 어디야", "주말에도 해?", "고객센터 전화번호 알려줘",
                        "가까운 지점 찾아줘", "몇 시에 닫아"]))
def test_a_banks_hours_and_branches_are_no_read_and_no_bank_choice(bank, question):
    p = parse(f"{bank} {question}")
    assert p.intent == "unknown" and p.slots.bank is None, p


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Woori Bank", "K-Bank", "the bank", "the branch"]),
       st.sampled_from(["what time does {} open", "when does {} close", "is {} open on saturday", "{} opening hours"]))
def test_english_bank_hours_are_unknown(bank, frame):
    p = parse(frame.format(bank))
    assert p.intent == "unknown" and p.slots.bank is None, p


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(KIN + NAMES), st.sampled_from(["계좌번호", "계좌 번호", "통장 번호", "통장번호"]),
       st.sampled_from(["알려줘", "뭐야", "좀 알려줘", "불러줘", "가 뭐지"]))
def test_a_payees_account_number_is_about_payees(name, noun, ask):
    p = parse(f"{name} {noun} {ask}".replace(" 가 ", "가 "))
    assert (p.intent, p.slots.payee) == ("payees", name), p


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["음", "어", "음...", "어,", "uh", "um", "um,", "uh..."]), st.sampled_from(["ascii", "ascii_spaced", "sino", "sino_spaced", "english"]),
       st.integers(0, 9999))
def test_a_filler_before_the_pin_is_hesitation(filler, style, pin):
    digits = f"{pin:04d}"
    rng = random.Random(pin)
    spoken = spoken_digits(digits, style, rng)
    assume(not (filler[0] in "음어" and style == "english") and not (filler[0] == "u" and style.startswith("sino")))
    assert parse(f"{filler} {spoken}").digits == digits


@settings(max_examples=60, deadline=None)
@given(korean_amount(), st.sampled_from(["마이너스 ", "-"]), st.sampled_from(KIN))
def test_a_negative_amount_is_never_taken(amount, sign, name):
    p = parse(f"{name}한테 {sign}{amount[1]} 보내줘")
    assert p.slots.amount is None and p.problem == "negative_amount", p
