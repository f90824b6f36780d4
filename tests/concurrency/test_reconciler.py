"""Every process runs the reconciler; each pending transfer is still settled once."""
from __future__ import annotations

import json

from adapters.sandbox.testing import set_fault, wait_for
from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import PIN, Cluster, race

pytestmark = CONCURRENCY

HELD = 3


def test_transfers_held_at_the_bank_are_settled_once_by_the_racing_reconcilers(cluster: Cluster) -> None:
    # the bank commits each transfer, then holds its answer past the adapter's 2 s timeout:
    # the turn answers pending, and every process's reconciler goes after it
    set_fault(cluster.sandboxes.woori, op="transfer", mode="timeout_after_commit", count=HELD, delay_ms=3000)
    devices = [cluster.device(i) for i in range(HELD)]
    for device in devices:
        assert device.turn("우리은행에서 엄마한테 5만원 보내줘", new=True)["awaiting"] == "pin"

    replies = race(*[lambda d=d: d.turn(PIN) for d in devices])

    assert all(isinstance(r, dict) and r["data"]["status"] == "pending" for r in replies), replies
    ids = {r["data"]["transfer_id"] for r in replies}
    settled = wait_for(lambda: all(t.status == "completed" for t in cluster.transfers()), timeout_s=40, interval_s=0.2)
    assert settled, cluster.transfers()
    assert {t.id for t in cluster.transfers()} == ids
    completed = [json.loads(e.detail)["transfer_id"] for e in cluster.events("transfer.completed")]
    assert sorted(completed) == sorted(ids)  # one event each: settled once
    assert [p["amount"] for p in cluster.woori_debits()] == [-50_000] * HELD
