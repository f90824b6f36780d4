"""The daily limit holds when transfers race through different processes."""
from __future__ import annotations

from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import PIN, Cluster, race

pytestmark = CONCURRENCY

AMOUNT = 290_000  # under the 300,000 OTP threshold: the PIN turn sends it
DAILY_LIMIT = 2_000_000


def test_racing_transfers_never_overshoot_the_daily_limit(cluster: Cluster) -> None:
    devices = [cluster.device(i) for i in range(8)]  # alternating processes
    for device in devices:
        reply = device.turn("우리은행에서 엄마한테 29만원 보내줘", new=True)
        assert reply["awaiting"] == "pin", reply

    replies = race(*[lambda d=d: d.turn(PIN) for d in devices])

    fits = DAILY_LIMIT // AMOUNT  # 6
    sent = [r for r in replies if isinstance(r, dict) and (r["data"] or {}).get("transfer_id")]
    assert len(sent) == fits, replies
    assert all(r["data"]["status"] == "completed" for r in sent), sent
    refused = [r for r in replies if r not in sent]
    assert [r["status"] for r in refused] == ["rejected"] * (len(devices) - fits), refused
    assert [(t.status, t.amount) for t in cluster.transfers()] == [("completed", AMOUNT)] * fits
    assert cluster.scalar("SELECT total FROM daily_usage WHERE user_id = 'demo'") == fits * AMOUNT
    assert [p["amount"] for p in cluster.woori_debits()] == [-AMOUNT] * fits
