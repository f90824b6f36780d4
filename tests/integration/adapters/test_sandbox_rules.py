"""Rules every sandbox keeps whatever the dialect (the `mirae` plugin's too): fault queue semantics, no overdraft,
no double posting under concurrency, demo data, operator API shape."""
import threading

import pytest
import requests

from adapters import registry
from adapters.base import InsufficientFunds, OutcomeUnknown, PartnerError, TransferRequest
from adapters.sandbox.testing import clear_faults, ledger, postings_for, set_fault

SOURCES = {"kbank": ("100-123-456789", "100-555-000111", "아빠"), "woori": ("1002-345-678901", "1002-111-222333", "김철수"),
           "mirae": ("5012-3456-78", "5098-7654-32", "이수진")}


@pytest.fixture(params=[bank.code for bank in registry.catalogue() if bank.code in SOURCES])
def bank(request):
    return request.param


@pytest.fixture
def adapter(bank, sandbox_faults_cleared, sandbox_data_dir):
    instance = registry.create(bank, base_url=sandbox_faults_cleared[bank], timeout_s=2, data_dir=sandbox_data_dir)
    yield instance
    instance.close()


def test_demo_customers_are_seeded(sandbox_faults_cleared, sandbox_data_dir):
    kbank = registry.create("kbank", base_url=sandbox_faults_cleared.kbank, timeout_s=2, data_dir=sandbox_data_dir)
    woori = registry.create("woori", base_url=sandbox_faults_cleared.woori, timeout_s=2, data_dir=sandbox_data_dir)
    assert [(a.number, a.holder) for a in kbank.accounts("demo")] == [("100-123-456789", "김하나")]
    assert [a.number for a in woori.accounts("demo")] == ["1002-345-678901"]
    assert [a.number for a in woori.accounts("mom")] == ["1002-987-654321"]
    assert [a.number for a in woori.accounts("chulsoo")] == ["1002-111-222333"]
    assert [a.number for a in kbank.accounts("dad")] == ["100-555-000111"]
    if "mirae" in sandbox_faults_cleared:
        mirae = registry.create("mirae", base_url=sandbox_faults_cleared.mirae, timeout_s=2, data_dir=sandbox_data_dir)
        assert [(a.number, a.holder) for a in mirae.accounts("demo")] == [("5012-3456-78", "김하나")]
        assert mirae.balance("5012-3456-78").balance > 0
        mirae.close()


def test_fault_api_validates_and_counts(bank, sandbox_faults_cleared, adapter):
    url = sandbox_faults_cleared[bank]
    assert requests.post(f"{url}/_sandbox/faults", json={"op": "transfer", "mode": "explode"}, timeout=5).status_code == 400
    assert requests.post(f"{url}/_sandbox/faults", json={"op": "x", "mode": "latency"}, timeout=5).status_code == 400
    source = SOURCES[bank][0]
    adapter.balance(source)
    set_fault(url, op="balance", mode="error_500", count=2)  # the adapter's one read retry uses both
    with pytest.raises(OutcomeUnknown):
        adapter.balance(source)
    assert adapter.balance(source).balance > 0
    set_fault(url, op="transfer", mode="error_500", count=5)
    assert adapter.balance(source).balance > 0  # op "transfer" leaves reads alone
    assert adapter.transfer_status(adapter.new_idempotency_key()).state == "not_found"  # and status inquiries
    clear_faults(url)
    assert ledger(url) is not None


def test_no_overdraft_and_no_double_posting_under_concurrency(bank, sandbox_faults_cleared, adapter):
    url = sandbox_faults_cleared[bank]
    source, payee, name = SOURCES[bank]
    req = TransferRequest(adapter.new_idempotency_key(), source, bank, payee, name, 3_000)
    outcomes: list[object] = []

    def send() -> None:
        try:
            outcomes.append(adapter.transfer(req).state)
        except PartnerError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["completed"] * 8
    assert sorted(p["amount"] for p in postings_for(url, req.idempotency_key)) == [-3_000, 3_000]

    balance = adapter.balance(source).balance
    big = [TransferRequest(adapter.new_idempotency_key(), source, bank, payee, name, balance // 2 + 1)
           for _ in range(4)]
    results: list[object] = []
    threads = [threading.Thread(target=lambda r=r: results.append(_try(adapter, r))) for r in big]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("completed") == 1
    assert sum(isinstance(r, InsufficientFunds) for r in results) == 3
    assert adapter.balance(source).balance == balance - (balance // 2 + 1)
    # give the money back so other tests keep a funded demo account
    back = TransferRequest(adapter.new_idempotency_key(), payee, bank, source, "김하나", balance // 2 + 1)
    assert adapter.transfer(back).state == "completed"


def _try(adapter, req):
    try:
        return adapter.transfer(req).state
    except PartnerError as exc:
        return exc


def test_ledger_shape(bank, sandbox_faults_cleared):
    postings = ledger(sandbox_faults_cleared[bank])
    assert postings, "earlier tests posted something"
    assert set(postings[0]) == {"posting_id", "account", "amount", "counterparty", "reference", "at"}
    ids = [p["posting_id"] for p in postings]
    assert ids == sorted(ids)
