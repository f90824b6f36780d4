"""Transfers between banks, in every direction among the installed ones (K-Bank, Woori and
the `mirae` plugin: six): validated synchronously, delivered by bank code in the background,
credited once, conserved across every ledger, also across restarts."""
import itertools

import pytest
import requests

from adapters import registry
from adapters.base import AccountUnavailable, OutcomeUnknown, TransferRequest
from adapters.sandbox.testing import (
    free_port,
    ledger,
    postings_for,
    running_sandboxes,
    set_fault,
    start_sandbox,
    stop_sandbox,
    wait_for,
    wait_healthy,
)

#: per bank: the demo user's account there, and another customer's with the holder's name
ACCOUNTS = {
    "kbank": ("100-123-456789", "100-555-000111", "김영수"),
    "woori": ("1002-345-678901", "1002-987-654321", "박미영"),
    "mirae": ("5012-3456-78", "5098-7654-32", "이수진"),
}
BANKS = [bank.code for bank in registry.catalogue() if bank.code in ACCOUNTS]
DIRECTIONS = list(itertools.permutations(BANKS, 2))


def balances_plus_postings_are_conserved(urls):
    """Every debit has its credit somewhere: the postings of all ledgers sum to nothing."""
    return sum(p["amount"] for _, url in urls.items() for p in ledger(url)) == 0


def test_every_direction_is_covered():
    assert len(DIRECTIONS) == len(BANKS) * (len(BANKS) - 1)
    if "mirae" in BANKS:
        assert len(DIRECTIONS) == 6


@pytest.mark.parametrize("bank, payee_bank", DIRECTIONS)
def test_transfer_to_another_bank_is_credited_within_seconds(sandbox_faults_cleared, sandbox_data_dir,
                                                             bank, payee_bank):
    urls = sandbox_faults_cleared
    source, payee, name = ACCOUNTS[bank][0], ACCOUNTS[payee_bank][1], ACCOUNTS[payee_bank][2]
    adapter = registry.create(bank, base_url=urls[bank], timeout_s=2, data_dir=sandbox_data_dir)
    req = TransferRequest(adapter.new_idempotency_key(), source, payee_bank, payee, name, 20_000)
    assert adapter.transfer(req).state == "completed"
    [debit] = postings_for(urls[bank], req.idempotency_key)
    assert (debit["account"], debit["amount"]) == (source, -20_000)
    credit = wait_for(lambda: postings_for(urls[payee_bank], req.idempotency_key), timeout_s=5)
    assert [(c["account"], c["amount"]) for c in credit] == [(payee, 20_000)]
    for other in set(urls) - {bank, payee_bank}:  # delivered by bank code: nowhere else
        assert postings_for(urls[other], req.idempotency_key) == []
    assert wait_for(lambda: balances_plus_postings_are_conserved(urls), timeout_s=5)
    adapter.close()


@pytest.mark.parametrize("bank, payee_bank", DIRECTIONS)
def test_unknown_payee_at_another_bank_is_refused_before_commit(sandbox_faults_cleared, sandbox_data_dir,
                                                                bank, payee_bank):
    urls = sandbox_faults_cleared
    source, payee, name = ACCOUNTS[bank][0], ACCOUNTS[payee_bank][1], ACCOUNTS[payee_bank][2]
    adapter = registry.create(bank, base_url=urls[bank], timeout_s=2, data_dir=sandbox_data_dir)
    req = TransferRequest(adapter.new_idempotency_key(), source, payee_bank, payee[:-4] + "0000", name, 1_000)
    with pytest.raises(AccountUnavailable):
        adapter.transfer(req)
    assert postings_for(urls[bank], req.idempotency_key) == []
    assert adapter.transfer_status(req.idempotency_key).state == "failed"
    adapter.close()


@pytest.mark.parametrize("bank", BANKS)
def test_each_bank_answers_the_recipient_check_for_its_own_accounts(sandbox_faults_cleared, sandbox_data_dir, bank):
    adapter = registry.create(bank, base_url=sandbox_faults_cleared[bank], timeout_s=2, data_dir=sandbox_data_dir)
    _, payee, holder = ACCOUNTS[bank]
    assert adapter.holder_name(payee) == holder
    with pytest.raises(AccountUnavailable):
        adapter.holder_name(payee[:-4] + "0000")
    adapter.close()


def test_the_peer_credits_each_interbank_id_once(sandboxes):
    entry = {"interbank_id": "test:dup-1", "reference": "dup-1", "from_account": "100-123-456789",
             "from_name": "테스트", "to_account": "1002-111-222333", "amount": 5, "from_bank": "kbank"}
    for _ in range(3):
        assert requests.post(f"{sandboxes.woori}/_sandbox/interbank", json=entry, timeout=5).status_code == 200
    assert [p["amount"] for p in postings_for(sandboxes.woori, "dup-1")] == [5]
    requests.post(f"{sandboxes.kbank}/_sandbox/interbank", json={**entry, "interbank_id": "test:dup-2",
                                                                 "reference": "dup-2", "to_account": "100-555-000111",
                                                                 "amount": -5}, timeout=5)
    assert postings_for(sandboxes.kbank, "dup-2") == []


def test_delivery_is_retried_until_acknowledged_also_after_a_restart(tmp_path):
    """The payee is checked while Woori is up; Woori then goes away before the transfer
    settles (a `processing` fault delays it), K-Bank restarts, and Woori comes back."""
    ports = {"kbank": free_port(), "woori": free_port()}
    with running_sandboxes(tmp_path, ports=ports, banks=ports) as urls:
        adapter = registry.create("kbank", base_url=urls.kbank, timeout_s=2, data_dir=tmp_path)
        set_fault(urls.kbank, op="transfer", mode="processing", count=1, delay_ms=1500)
        req = TransferRequest(adapter.new_idempotency_key(), "100-123-456789", "woori", "1002-987-654321", "엄마", 30_000)
        with pytest.raises(OutcomeUnknown):
            adapter.transfer(req)
    # both stopped (Woori first): K-Bank holds the accepted transfer; start K-Bank alone, Woori down
    env = {"COUCHBANK_KBANK_URL": urls.kbank, "COUCHBANK_WOORI_URL": urls.woori}
    kbank = start_sandbox("kbank", ports["kbank"], tmp_path, env=env)
    try:
        wait_healthy(urls.kbank, process=kbank)
        assert adapter.transfer_status(req.idempotency_key).state in ("processing", "completed")
        assert wait_for(lambda: adapter.transfer_status(req.idempotency_key).state == "completed", timeout_s=5)
        assert [p["amount"] for p in postings_for(urls.kbank, req.idempotency_key)] == [-30_000]
        stop_sandbox(kbank)  # the outbox entry is still undelivered: Woori never came back
        kbank = start_sandbox("kbank", ports["kbank"], tmp_path, env=env)
        woori = start_sandbox("woori", ports["woori"], tmp_path, env=env)
        try:
            wait_healthy(urls.kbank, process=kbank)
            wait_healthy(urls.woori, process=woori)
            credit = wait_for(lambda: postings_for(urls.woori, req.idempotency_key), timeout_s=8)
            assert [(c["account"], c["amount"]) for c in credit] == [("1002-987-654321", 30_000)]
            assert balances_plus_postings_are_conserved(urls)
        finally:
            stop_sandbox(woori)
    finally:
        stop_sandbox(kbank)
        adapter.close()
