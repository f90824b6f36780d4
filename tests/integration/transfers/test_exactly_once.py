"""Money moves exactly once through any fault (CONTRACT §5): for each source bank (the `mirae`
plugin's too) and each
fault mode, the transfer's final status agrees with the sandbox ledgers, which hold it 0 or
1 times; and a randomized run of many transfers under random faults conserves money."""
import random
import time

import pytest
from sqlalchemy import select

from adapters import registry
from adapters.sandbox.testing import ledger, postings_for, set_fault, wait_for
from banking.platform.partners import Partners
from banking.platform.security import account_numbers
from banking.platform.store.tables import transfers as transfers_table
from banking.transfers import reconcile
from tests.support import Clock

ADAPTER_TIMEOUT_S = 1.0
FAULTS = [
    ("error_500", 0), ("timeout_before_commit", 1500), ("timeout_after_commit", 1500),
    ("latency", 300), ("latency", 1500), ("throttle", 0), ("processing", 800),
]
#: how a source bank is said, for each installed one (the `mirae` plugin's too)
SAID = {"kbank": "케이뱅크에서", "woori": "우리은행에서", "mirae": "미래에셋에서"}
SOURCES = {bank.code: SAID[bank.code] for bank in registry.catalogue() if bank.code in SAID}


@pytest.fixture
def live(live_app_factory, sandbox_faults_cleared, sandbox_data_dir, http_device):
    partners = Partners({bank: registry.create(bank, base_url=sandbox_faults_cleared[bank],
                                               timeout_s=ADAPTER_TIMEOUT_S, data_dir=sandbox_data_dir)
                         for bank in sandbox_faults_cleared})
    app, url = live_app_factory(partners)
    services = app.extensions["couchbank"]
    services.clock = Clock()
    return services, sandbox_faults_cleared, lambda: http_device(url)


def transfer_by_voice(new_device, source: str, amount_words: str) -> dict:
    device = new_device()
    reply = device.turn(f"{SOURCES[source]} 엄마한테 {amount_words} 보내줘")
    assert reply["awaiting"] == "pin", reply
    started = time.monotonic()
    reply = device.turn("4826")
    assert time.monotonic() - started < 8, "a voice turn answers within 8 seconds"
    assert reply["status"] in ("completed", "failed"), reply
    if reply["data"]["status"] == "pending":
        assert "확인되면" in reply["speech"]
    return reply["data"]


def settle_all(services, timeout_s: float = 40) -> None:
    """Run the reconciler (as the background worker would) until nothing is pending."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with services.db.read() as conn:
            if conn.execute(select(transfers_table.c.id).where(transfers_table.c.status == "pending")).first() is None:
                return
        services.clock.advance(seconds=30)  # past backoffs and the not-found grace
        reconcile.reconcile_once(services)
        time.sleep(0.2)
    raise AssertionError("transfers still pending")


def row(services, transfer_id):
    with services.db.read() as conn:
        return conn.execute(select(transfers_table).where(transfers_table.c.id == transfer_id)).one()


def debits(urls, source, key):
    return [p for p in postings_for(urls[source], key) if p["amount"] < 0]


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("mode,delay_ms", FAULTS, ids=[f"{m}-{d}" for m, d in FAULTS])
def test_fault_matrix(live, source, mode, delay_ms):
    services, urls, new_device = live
    set_fault(urls[source], op="transfer", mode=mode, count=1, delay_ms=delay_ms)
    data = transfer_by_voice(new_device, source, "만원")
    settle_all(services)
    final = row(services, data["transfer_id"])
    posted = debits(urls, source, final.idempotency_key)
    assert len(posted) in (0, 1)
    assert final.status == ("completed" if posted else "failed"), (final.status, posted)
    if mode in ("timeout_after_commit", "latency", "processing", "throttle"):
        assert final.status == "completed"  # the bank did or could take it: never lost
    if mode in ("error_500", "timeout_before_commit"):
        assert final.status == "failed"  # the bank never received it: never invented
    # what the device reads agrees with the bank
    status, body = new_device().request("GET", f"/v1/transfers/{data['transfer_id']}")
    assert status == 200 and body["status"] == final.status


def test_randomized_transfers_conserve_money(live):
    services, urls, new_device = live
    rng = random.Random(20261121)
    modes = [None, None, None] + FAULTS
    sent = []
    for _ in range(14):
        source = rng.choice(list(SOURCES))
        fault = rng.choice(modes)
        if fault:
            set_fault(urls[source], op="transfer", mode=fault[0], count=1, delay_ms=fault[1])
        sent.append(transfer_by_voice(new_device, source, f"{rng.randint(1, 9)}천원"))
    settle_all(services)
    all_postings = [p for _, url in urls.items() for p in ledger(url)]
    for data in sent:
        final = row(services, data["transfer_id"])
        mine = [p for p in all_postings if p["reference"] == final.idempotency_key]
        from_account, to_account = (account_numbers.transfer_number(services.keys, final, column)
                                    for column in ("from_account", "to_account"))
        source_debits = [p for p in mine if p["amount"] < 0 and p["account"] == from_account]
        assert len(source_debits) == (1 if final.status == "completed" else 0), (final.status, mine)
        if final.status == "completed":
            # delivered to the payee, over the interbank link when it banks elsewhere
            credit = wait_for(lambda: [p for p in ledger(urls[final.to_bank])
                                       if p["reference"] == final.idempotency_key and p["amount"] > 0
                                       and p["account"] == to_account], timeout_s=15)
            assert [p["amount"] for p in credit] == [final.amount]
