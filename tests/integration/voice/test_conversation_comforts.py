"""CONTRACT §9 over HTTP against the partner sandboxes: repeat, slower speech remembered per
user, transactions three at a time with `더 들려줘`, a payee filter, the month's totals, the
`payees` intent, a digits-only turn's language, help for the moment, and a question asked
while a transfer awaits its PIN."""

import datetime as dt

import pytest

from tests.support import Clock


@pytest.fixture
def live(live_app_factory, sandbox_partners, http_device):
    app, url = live_app_factory(sandbox_partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    return lambda: http_device(url)


def _send(device, utterance: str) -> dict:
    reply = device.turn(utterance, new=True)
    assert reply["awaiting"] == "pin", reply
    reply = device.turn("4826")
    assert reply["intent"] == "transfer" and reply["status"] == "completed", reply
    return reply


def _read(device, utterance: str) -> dict:
    """A read in a new conversation: its own PIN, since a session is verified per conversation."""
    reply = device.turn(utterance, new=True)
    if reply["awaiting"] == "pin":
        reply = device.turn("4826")
    return reply


def test_repeat_gives_the_last_reply_unchanged(live):
    device = live()
    first = device.turn("엄마한테 5만원 보내줘")
    assert first["awaiting"] == "pin"
    for said in ("다시 말해줘", "뭐라고?"):
        again = device.turn(said)
        assert again == first
    english = live()
    first = english.turn("what's my balance")
    assert english.turn("say that again") == first
    assert english.turn("repeat that") == first
    # nothing changed: the PIN still completes the read
    assert english.turn("4826")["status"] == "completed"
    # a transfer's outcome, which arrives after its conversation was saved, is repeated too
    sent = device.turn("4826")
    assert sent["status"] == "completed" and sent["data"]["transfer_id"]
    assert device.turn("say that again") == sent


def test_slower_speech_is_remembered_per_user_until_undone(live):
    device = live()
    reply = device.turn("천천히 말해줘")
    assert reply["ssml"].startswith('<speak><prosody rate="slow">')
    other_device = live()      # the same demo user on another device: remembered per user
    reply = other_device.turn("잔액 알려줘", new=True)
    assert '<prosody rate="slow">' in reply["ssml"]
    reply = other_device.turn("normal speed", new=True)
    assert "prosody" not in reply["ssml"]
    assert "prosody" not in device.turn("help", new=True)["ssml"]
    device.turn("speak slower", new=True)
    assert '<prosody rate="slow">' in device.turn("도움말", new=True)["ssml"]
    device.turn("보통 속도로", new=True)


def test_transactions_three_at_a_time_with_more_and_a_payee_filter(live):
    device = live()
    for amount in ("1만원", "2만원", "3만원"):
        _send(device, f"엄마한테 {amount} 보내줘")
    for amount in ("4만원", "5만원"):
        _send(device, f"아빠한테 {amount} 보내줘")
    reply = _read(device, "최근 거래 내역 보여줘")
    assert reply["intent"] == "transactions" and reply["status"] == "completed"
    assert len(reply["data"]["transactions"]) == 3
    assert "건 더 있어요" in reply["speech"]
    seen = [t["at"] for t in reply["data"]["transactions"]]
    first_amounts = [t["amount"] for t in reply["data"]["transactions"]]
    assert first_amounts == [-50_000, -40_000, -30_000]     # newest first, across the banks
    more = device.turn("더 들려줘")
    assert more["intent"] == "transactions" and more["status"] == "completed"
    assert more["data"]["transactions"] and more["data"]["transactions"][0]["at"] <= seen[-1]
    assert [t["amount"] for t in more["data"]["transactions"]][:2] == [-20_000, -10_000]

    mom = _read(device, "엄마한테 보낸 내역")
    assert mom["intent"] == "transactions" and mom["slots"]["payee"] == "엄마"
    assert mom["speech"].startswith("엄마 거래 내역이에요.")
    assert [t["amount"] for t in mom["data"]["transactions"]] == [-30_000, -20_000, -10_000]
    assert "박미영" not in mom["speech"]            # named as the person calls them
    english = _read(device, "transactions with Dad")
    assert english["slots"]["payee"] == "아빠" and english["intent"] == "transactions"
    # newest first; the session's sandboxes may hold older transfers to Dad from other tests
    assert [t["amount"] for t in english["data"]["transactions"]][:2] == [-50_000, -40_000]
    assert english["speech"].startswith("Your transactions with 아빠")


def test_the_months_spending_is_a_summary(live):
    device = live()
    _send(device, "엄마한테 2만원 보내줘")
    reply = _read(device, "이번 달 얼마 썼어?")
    summary = reply["data"]["summary"]
    assert set(summary) == {"spent", "received", "from", "until"}
    assert summary["spent"] >= 20_000 and summary["received"] >= 0
    start, end = dt.date.fromisoformat(summary["from"]), dt.date.fromisoformat(summary["until"])
    assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start.month == end.month
    reply = _read(device, "how much did I spend this month")
    assert reply["data"]["summary"]["spent"] == summary["spent"]


def test_payees_are_listed_behind_a_verified_session(live):
    device = live()
    reply = device.turn("누구한테 보낼 수 있어?")
    assert reply["intent"] == "payees" and reply["awaiting"] == "pin" and reply["data"] is None
    reply = device.turn("4826")
    names = {p["name"] for p in reply["data"]["payees"]}
    assert {"엄마", "아빠"} <= names
    assert all(p["number_masked"].startswith("***-***-") for p in reply["data"]["payees"])
    reply = _read(device, "who can I send money to")
    assert reply["intent"] == "payees" and reply["status"] == "completed"


def test_digits_only_keep_the_conversations_language(live):
    device = live()
    assert device.turn("what's my balance")["awaiting"] == "pin"
    reply = device.turn("4826")
    assert reply["speech"].startswith("Your")
    reply = device.turn("1234", new=True)       # a new conversation: the user's last language
    assert not any("\uac00" <= c <= "\ud7a3" for c in reply["speech"])


def test_help_says_what_can_be_said_now(live):
    device = live()
    assert device.turn("엄마한테 5만원 보내줘")["awaiting"] == "pin"
    reply = device.turn("도움말")
    assert reply["awaiting"] == "pin" and reply["intent"] == "transfer" and "PIN" in reply["speech"]
    assert device.turn("4826")["status"] == "completed"


def test_a_question_while_a_transfer_awaits_its_pin_sets_it_aside(live):
    device = live()
    reply = device.turn("엄마한테 5만원 보내줘")
    assert reply["slots"]["bank"] == "kbank" and reply["awaiting"] == "pin"
    reply = device.turn("우리은행 잔액은?")
    assert reply["intent"] == "balance" and "멈췄어요" in reply["speech"]
    assert reply["slots"]["amount"] is None and reply["slots"]["payee"] is None


def test_fillers_and_english_corrections_mid_transfer(live):
    device = live()
    reply = device.turn("send 50,000 won to Mom")
    assert reply["awaiting"] == "pin"
    reply = device.turn("make it 30,000 won instead")
    assert reply["slots"]["amount"] == 30_000 and reply["awaiting"] == "pin"
    reply = device.turn("no, Dad instead")
    assert reply["slots"]["payee"] == "아빠" and reply["slots"]["amount"] == 30_000
    reply = device.turn("um, four eight two six")
    assert reply["status"] == "completed" and reply["data"]["payee"] == "아빠"
