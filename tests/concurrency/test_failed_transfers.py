"""Transfers the bank refuses, settled while other transfers are being reserved through
other processes: every turn answers, and a failed transfer gives its share of the daily
limit back exactly once."""
from __future__ import annotations

from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import PIN, Cluster, assert_answered, race

pytestmark = CONCURRENCY

KBANK_SOURCE = "100-123-456789"


def _send(cluster: Cluster, server: int, utterance: str) -> dict:
    device = cluster.device(server)
    assert device.turn(utterance, new=True)["awaiting"] == "pin"
    return device.turn(PIN)


def test_refusals_settled_during_racing_reservations_all_answer(cluster: Cluster) -> None:
    # leave the K-Bank account 90,000 KRW: then only one of the racing 50,000 transfers fits
    for server in range(4):
        assert _send(cluster, server, "아빠한테 29만원 보내줘")["data"]["status"] == "completed"
    devices = [cluster.device(i) for i in range(6)]
    for device in devices:
        assert device.turn("아빠한테 5만원 보내줘", new=True)["awaiting"] == "pin"

    replies = race(*[lambda d=d: d.turn(PIN) for d in devices])

    assert_answered(replies)
    statuses = sorted(r["data"]["status"] for r in replies)
    assert statuses == ["completed"] + ["failed"] * 5, replies
    kept = sum(t.amount for t in cluster.transfers() if t.status == "completed")
    assert cluster.scalar("SELECT total FROM daily_usage WHERE user_id = 'demo'") == kept
    debits = [p["amount"] for p in cluster.postings("kbank") if p["account"] == KBANK_SOURCE and p["amount"] < 0]
    assert debits == [-290_000] * 4 + [-50_000]
