"""A transfer request carries the instant after which the bank must not run it
(`TransferRequest.not_after`): each sandbox refuses, and never posts, one that arrives
later, and remembers it as refused, so its status inquiry never says "not found" for it.
This is the bank's half of couchbank's exactly-once rule (`banking.transfers.send`)."""
import datetime as dt

import pytest

from adapters import registry
from adapters.base import DefinitelyFailed, TransferRequest
from adapters.sandbox.testing import postings_for, set_fault

CASES = [("kbank", "100-123-456789", "woori", "1002-987-654321", "엄마"),
         ("woori", "1002-345-678901", "kbank", "100-555-000111", "아빠")]


@pytest.mark.parametrize("bank, source, payee_bank, payee, name", CASES)
def test_a_request_that_arrives_after_its_deadline_is_refused_and_never_posted(
        sandbox_faults_cleared, sandbox_data_dir, bank, source, payee_bank, payee, name):
    urls = sandbox_faults_cleared
    adapter = registry.create(bank, base_url=urls[bank], timeout_s=5, data_dir=sandbox_data_dir)
    # the request is held up on its way (here: inside the bank, before it starts work)
    set_fault(urls[bank], op="transfer", mode="latency", count=1, delay_ms=2500)
    not_after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    req = TransferRequest(adapter.new_idempotency_key(), source, payee_bank, payee, name, 1_000, not_after=not_after)
    with pytest.raises(DefinitelyFailed):
        adapter.transfer(req)
    assert postings_for(urls[bank], req.idempotency_key) == []
    assert adapter.transfer_status(req.idempotency_key).state == "failed"
    adapter.close()


@pytest.mark.parametrize("bank, source, payee_bank, payee, name", CASES)
def test_a_later_deadline_on_a_repeat_of_the_same_key_is_the_same_request(
        sandbox_faults_cleared, sandbox_data_dir, bank, source, payee_bank, payee, name):
    urls = sandbox_faults_cleared
    adapter = registry.create(bank, base_url=urls[bank], timeout_s=5, data_dir=sandbox_data_dir)
    key = adapter.new_idempotency_key()
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    first = adapter.transfer(TransferRequest(key, source, payee_bank, payee, name, 1_000, not_after=soon))
    again = adapter.transfer(TransferRequest(key, source, payee_bank, payee, name, 1_000,
                                             not_after=soon + dt.timedelta(seconds=20)))
    assert first.state == again.state == "completed"
    assert len(postings_for(urls[bank], key)) == 1
    adapter.close()
