"""PIN failures, lockout and single-use OTP codes are exact across service processes."""
from __future__ import annotations

from banking.auth.otp import _TOTP
from banking.demo.seed import DEMO_TOTP_SECRET
from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import PIN, Cluster, assert_answered, race

pytestmark = CONCURRENCY

WRONG_PIN = "1357"


def test_five_wrong_pins_over_two_processes_lock_the_user_in_both(cluster: Cluster) -> None:
    devices = [cluster.device(i) for i in range(5)]
    waiting = [cluster.device(server) for server in range(2)]  # each awaits a PIN on its process
    for device in devices + waiting:
        assert device.turn("잔액 알려줘", new=True)["awaiting"] == "pin"

    replies = race(*[lambda d=d: d.turn(WRONG_PIN) for d in devices])

    assert_answered(replies)
    assert len(cluster.events("auth.pin.failed")) == 5
    assert len(cluster.events("auth.lock")) == 1
    for device in waiting:  # even the right PIN is refused, on either process
        reply = device.turn(PIN)
        assert reply["status"] == "rejected" and reply["data"] is None, reply
    for server in range(2):  # and a new conversation is refused before any PIN is asked
        reply = cluster.device(server).turn("잔액 알려줘", new=True)
        assert reply["status"] == "rejected" and reply["awaiting"] is None, reply
    assert not cluster.events("auth.pin.ok")


def test_a_pin_turn_double_submitted_to_two_processes_moves_money_once(cluster: Cluster) -> None:
    for _ in range(4):  # a few rounds: the race is won by either side
        first = cluster.device(0)
        assert first.turn("우리은행에서 엄마한테 5만원 보내줘", new=True)["awaiting"] == "pin"
        # the same conversation's PIN turn, each copy with its own fresh nonce
        second = cluster.device(1)
        second.session_id = first.session_id
        replies = race(lambda: first.turn(PIN), lambda: second.turn(PIN))
        assert_answered(replies)
        sent = [r for r in replies if (r["data"] or {}).get("transfer_id")]
        assert len(sent) == 1, replies

    transfers = cluster.transfers()
    assert [(t.status, t.amount) for t in transfers] == [("completed", 50_000)] * 4
    assert len({t.session_id for t in transfers}) == 4
    assert [p["amount"] for p in cluster.woori_debits()] == [-50_000] * 4


def test_one_otp_code_raced_through_two_processes_is_accepted_once(cluster: Cluster) -> None:
    devices = [cluster.device(0), cluster.device(1)]
    for device in devices:
        device.turn("우리은행에서 엄마한테 35만원 보내줘", new=True)
        assert device.turn(PIN)["awaiting"] == "otp"

    code = _TOTP(DEMO_TOTP_SECRET).now()
    replies = race(*[lambda d=d: d.turn(code) for d in devices])

    assert_answered(replies)
    sent = [r for r in replies if (r["data"] or {}).get("transfer_id")]
    assert len(sent) == 1, replies
    refused = next(r for r in replies if r not in sent)
    assert refused["status"] == "in_progress" and refused["awaiting"] == "otp", refused
    assert len(cluster.events("auth.otp.ok")) == 1
    assert len(cluster.events("auth.otp.failed")) == 1
    assert [(t.status, t.amount) for t in cluster.transfers()] == [("completed", 350_000)]
    assert [p["amount"] for p in cluster.woori_debits()] == [-350_000]
