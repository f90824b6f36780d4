"""CONTRACT §4.1, rule by rule, over HTTP against the real partner sandboxes, on SQLite and
PostgreSQL."""

import pytest

from adapters import registry
from adapters.sandbox.testing import postings_for
from banking.platform.store.tables import transfers
from tests.support import Clock, Device


@pytest.fixture
def live(live_app_factory, sandbox_partners, http_device):
    app, url = live_app_factory(sandbox_partners)
    services = app.extensions["couchbank"]
    clock = Clock()
    services.clock = clock
    return services, url, clock, lambda: http_device(url)


def balances(device: Device) -> dict[str, int]:
    reply = device.turn("잔액 알려줘", new=True)
    if reply["awaiting"] == "pin":
        reply = device.turn("4826")
    return {a["bank"]: a["balance"] for a in reply["data"]["accounts"]}


def test_balance_needs_pin_in_every_spoken_form(live):
    services, url, clock, new_device = live
    for spoken in ["4826", "4 8 2 6", "사 팔 이 육", "사팔이육", "four eight two six"]:
        device = new_device()
        reply = device.turn("잔액 알려줘")
        assert reply["intent"] == "balance" and reply["awaiting"] == "pin" and reply["data"] is None
        reply = device.turn(spoken)
        assert reply["status"] == "completed", (spoken, reply)
        accounts = reply["data"]["accounts"]
        assert [a["bank"] for a in accounts] == [b for b in ("kbank", "woori", "mirae") if b in registry.available()]
        assert accounts[0]["number_masked"] == "***-***-6789" and accounts[0]["currency"] == "KRW"
        assert "4826" not in reply["speech"] + reply["ssml"] + str(reply["card"])


def test_english_and_one_bank_balance(live):
    _, _, _, new_device = live
    device = new_device()
    assert device.turn("what's my balance")["awaiting"] == "pin"
    reply = device.turn("four eight two six")
    assert reply["speech"].startswith("Your balances") and reply["card"]["title"] == "Balance"
    reply = device.turn("케이뱅크 잔고 얼마야")
    assert reply["status"] == "completed" and [a["bank"] for a in reply["data"]["accounts"]] == ["kbank"]


def test_verified_session_lasts_five_idle_minutes(live):
    _, _, clock, new_device = live
    device = new_device()
    device.turn("잔액 알려줘")
    device.turn("4826")
    clock.advance(minutes=4)
    assert device.turn("잔액 알려줘")["status"] == "completed"  # no PIN asked
    clock.advance(minutes=4)
    assert device.turn("잔액 알려줘")["status"] == "completed"  # activity extended it
    clock.advance(minutes=5, seconds=1)
    reply = device.turn("잔액 알려줘")
    assert reply["awaiting"] == "pin" and ("다시 시작" in reply["speech"])  # expired, and says so


def test_quick_transfer_moves_money_once_at_the_bank(live, sandboxes):
    services, url, _, new_device = live
    device = new_device()
    before = balances(device)
    reply = device.turn("엄마한테 5만원 보내줘", new=True)
    assert reply["intent"] == "transfer" and reply["awaiting"] == "pin"
    assert reply["slots"] == {"amount": 50000, "payee": "엄마", "bank": "kbank"}
    assert "***-***-4321" in reply["speech"] and "5만 원" in reply["speech"] and "우리은행" in reply["speech"]
    reply = device.turn("사팔이육")
    assert reply["status"] == "completed" and reply["data"]["status"] == "completed"
    transfer_id = reply["data"]["transfer_id"]
    with services.db.read() as conn:
        key = conn.execute(transfers.select().where(transfers.c.id == transfer_id)).one().idempotency_key
    debits = postings_for(sandboxes.kbank, key)
    assert [p["amount"] for p in debits if p["account"] == "100-123-456789"] == [-50000]
    after = balances(device)
    assert after["kbank"] == before["kbank"] - 50000
    status, listed = device.request("GET", "/v1/transfers?limit=5")
    assert status == 200 and listed["transfers"][0]["transfer_id"] == transfer_id
    status, one = device.request("GET", f"/v1/transfers/{transfer_id}")
    assert status == 200 and one["status"] == "completed" and one["amount"] == 50000 and one["payee"] == "엄마"


def test_every_transfer_needs_its_own_pin_even_when_verified(live):
    _, _, _, new_device = live
    device = new_device()
    balances(device)  # verifies the session
    reply = device.turn("아빠한테 만원 보내줘")
    assert reply["awaiting"] == "pin"


def test_slots_asked_one_at_a_time_and_mind_changed(live):
    _, _, _, new_device = live
    device = new_device()
    assert device.turn("송금하고 싶어")["awaiting"] == "payee"
    reply = device.turn("엄마")
    assert reply["awaiting"] == "amount" and reply["speech"] == "얼마를 보낼까요?"
    assert device.turn("오만 원")["awaiting"] == "pin"
    reply = device.turn("아니 3만원으로")
    assert reply["awaiting"] == "pin" and reply["slots"]["amount"] == 30000 and "3만 원" in reply["speech"]
    assert device.turn("취소")["status"] == "cancelled"


def test_unknown_payee_refused_and_near_miss_asked(live):
    _, _, _, new_device = live
    device = new_device()
    reply = device.turn("영희한테 5만원 보내줘")
    assert reply["status"] == "rejected" and reply["awaiting"] is None
    reply = device.turn("움마한테 5만원 보내줘", new=True)
    assert reply["awaiting"] == "payee" and reply["slots"]["payee"] is None and "엄마" in reply["speech"]
    assert device.turn("응")["awaiting"] == "pin"


def test_otp_step_up_single_use_and_three_strikes(live):
    services, _, clock, new_device = live
    device = new_device()
    assert device.turn("아빠한테 30만원 보내줘")["awaiting"] == "pin"
    assert device.turn("4826")["awaiting"] == "otp"
    code = clock.otp()
    reply = device.turn(code)
    assert reply["status"] == "completed" and reply["data"]["status"] == "completed"
    assert code not in reply["speech"] + reply["ssml"]
    # the same code again, for another transfer in the same time step: refused
    device.turn("아빠한테 30만원 보내줘", new=True)
    device.turn("4826")
    wrong = device.turn(code)
    assert wrong["awaiting"] == "otp"
    # a wrong PIN and a wrong code sound the same
    other = new_device()
    other.turn("아빠한테 만원 보내줘")
    assert other.turn("1357")["speech"] == wrong["speech"]
    device.turn("000000")
    reply = device.turn("111111")
    assert reply["status"] == "rejected" and reply["intent"] == "transfer"


def test_limits_rejected_before_any_pin(live):
    _, _, _, new_device = live
    device = new_device()
    reply = device.turn("엄마한테 150만원 보내줘")
    assert reply["status"] == "rejected" and reply["awaiting"] is None and "한도" in reply["speech"]


@pytest.fixture
def live_memory(live_app_factory, memory_partners, http_device):
    """The same service over HTTP, with a fresh in-memory bank (for tests that spend a lot)."""
    app, url = live_app_factory(memory_partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    return services, url, services.clock, lambda: http_device(url)


def test_daily_limit_counts_completed_transfers(live_memory):
    services, _, clock, new_device = live_memory
    for source in ("우리은행에서", "케이뱅크에서"):
        device = new_device()
        device.turn(f"{source} 엄마한테 90만원 보내줘")
        device.turn("4826")
        assert device.turn(clock.otp())["status"] == "completed"
        clock.advance(seconds=31)
    reply = new_device().turn("엄마한테 30만원 보내줘")
    assert reply["status"] == "rejected" and "20만 원" in reply["speech"]


def test_five_wrong_pins_lock_everywhere_even_the_right_pin(live):
    services, _, clock, new_device = live
    verified = new_device()
    balances(verified)
    waiting = new_device()
    assert waiting.turn("잔액 알려줘")["awaiting"] == "pin"
    for _ in range(5):
        device = new_device()  # a new session each time: the counter is the user's
        device.turn("잔액 알려줘")
        reply = device.turn("1357")
    assert reply["status"] == "rejected" and "잠겨" in reply["speech"]
    assert waiting.turn("4826")["status"] == "rejected"  # even the right PIN
    assert new_device().turn("잔액 알려줘")["status"] == "rejected"
    assert new_device().turn("엄마한테 5만원 보내줘")["status"] == "rejected"
    # the lock ended the verified session too
    assert verified.turn("잔액 알려줘")["status"] == "rejected"
    clock.advance(minutes=31)
    fresh = new_device()
    fresh.turn("잔액 알려줘")
    assert fresh.turn("4826")["status"] == "completed"


@pytest.mark.parametrize("word", ["취소", "그만", "cancel", "never mind"])
def test_cancel_moves_nothing(live, word):
    services, _, _, new_device = live
    device = new_device()
    device.turn("엄마한테 5만원 보내줘")
    reply = device.turn(word)
    assert reply["status"] == "cancelled" and reply["intent"] == "transfer"
    with services.db.read() as conn:
        assert conn.execute(transfers.select()).first() is None


@pytest.mark.parametrize("text", ["엄마한테 보낸 돈 들어갔어?", "보내지 마", "메일 보내줘", "오만원은 큰 돈이야"])
def test_questions_and_negations_never_start_a_transfer(live, text):
    _, _, _, new_device = live
    reply = new_device().turn(text)
    assert reply["intent"] != "transfer" and reply["awaiting"] is None


def test_transactions_and_accounts_by_voice(live):
    _, _, _, new_device = live
    device = new_device()
    assert device.turn("최근 거래 내역 보여줘")["awaiting"] == "pin"
    reply = device.turn("4826")
    assert reply["intent"] == "transactions" and reply["status"] == "completed"
    assert isinstance(reply["data"]["transactions"], list)
    reply = device.turn("내 계좌 목록 알려줘")
    assert reply["intent"] == "accounts"
    mirae = {"***-***-5678"} if "mirae" in registry.available() else set()  # the CMA, where installed
    assert {a["number_masked"] for a in reply["data"]["accounts"]} == {"***-***-6789", "***-***-8901", *mirae}


def test_other_users_transfer_is_404(live):
    _, url, _, new_device = live
    status, body = new_device().request("GET", "/v1/transfers/tr_nope")
    assert status == 404 and body["error"]["code"] == "not_found"
