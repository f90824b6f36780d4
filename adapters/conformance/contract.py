"""`AdapterContract`: what couchbank relies on from a partner adapter, checked against
the partner's sandbox and its operator API (CONTRACT 5).

A test class inheriting it supplies these fixtures:
  adapter            the PartnerAdapter under test, talking to the sandbox
  sandbox_url        the base URL of that sandbox (operator API under /_sandbox)
  contract_accounts  a ContractAccounts: a funded account, a payee, an unknown account
  bad_credentials_adapter  the same adapter class, same sandbox, with wrong credentials
  adapter_timeout_s  the timeout the adapter was built with (keep it small: 1 s)
The kit moves small amounts out of the funded account; run it on a sandbox, never a bank.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from adapters.base import (
    AccountUnavailable,
    AuthRefused,
    BankInfo,
    DefinitelyFailed,
    InsufficientFunds,
    InvalidRequest,
    OutcomeUnknown,
    PartnerAdapter,
    PartnerError,
    RetryLater,
    TransferRequest,
    TransferResult,
)
from adapters.sandbox.testing import clear_faults, postings_for, set_fault, wait_for


@dataclass(frozen=True)
class ContractAccounts:
    holder: str  # couchbank user id whose accounts the bank lists
    account: str  # a funded account of `holder`, written as couchbank writes it
    payee_bank: str
    payee_account: str
    payee_name: str
    unknown_account: str  # well-formed, but no such account at the bank
    payee_holder: str = ""  # the payee account's holder as the bank has it (the recipient check)


DEMO_ACCOUNTS = {
    "kbank": ContractAccounts("demo", "100-123-456789", "kbank", "100-555-000111", "아빠", "100-999-000000", "김영수"),
    "woori": ContractAccounts("demo", "1002-345-678901", "woori", "1002-111-222333", "김철수", "1002-999-000000",
                              "김철수"),
}
#: a written account number: digit groups joined by single hyphens
_WRITTEN = re.compile(r"\d+(?:-\d+)*")


class AdapterContract:
    """Contract tests for one adapter; see the module docstring for the fixtures."""

    amount = 1_000

    # --- helpers ---

    @pytest.fixture(autouse=True)
    def _no_faults_left(self, sandbox_url: str) -> Iterator[None]:
        clear_faults(sandbox_url)
        yield
        clear_faults(sandbox_url)

    def request(self, adapter: PartnerAdapter, accounts: ContractAccounts, amount: int | None = None,
                **changes: str | int) -> TransferRequest:
        req = TransferRequest(
            idempotency_key=adapter.new_idempotency_key(), from_account=accounts.account,
            to_bank=accounts.payee_bank, to_account=accounts.payee_account, to_name=accounts.payee_name,
            amount=self.amount if amount is None else amount, memo="conformance",
        )
        return replace(req, **changes)

    def expected_postings(self, adapter: PartnerAdapter, req: TransferRequest) -> list[tuple[str, int]]:
        here = [(req.from_account, -req.amount)]
        if req.to_bank == adapter.name:
            here.append((req.to_account, req.amount))
        return sorted(here)

    def postings(self, sandbox_url: str, key: str) -> list[tuple[str, int]]:
        return sorted((p["account"], p["amount"]) for p in postings_for(sandbox_url, key))

    def assert_posted_once(self, adapter: PartnerAdapter, sandbox_url: str, req: TransferRequest) -> None:
        assert self.postings(sandbox_url, req.idempotency_key) == self.expected_postings(adapter, req)

    def assert_not_posted(self, sandbox_url: str, key: str) -> None:
        assert self.postings(sandbox_url, key) == []

    def settle(self, adapter: PartnerAdapter, key: str, timeout_s: float = 10.0) -> TransferResult:
        """Ask the status until it is no longer processing, as couchbank's reconciler does."""
        result = wait_for(lambda: (r := adapter.transfer_status(key)).state != "processing" and r, timeout_s, 0.1)
        assert result, f"transfer {key} still processing after {timeout_s} s"
        return result

    # --- the catalogue entry (CONTRACT §10): what couchbank says and hears of the bank ---

    def test_catalogue_entry_is_well_formed(self, adapter: PartnerAdapter, contract_accounts: ContractAccounts) -> None:
        bank = type(adapter).bank
        assert isinstance(bank, BankInfo) and bank.code == adapter.name
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,31}", bank.code), "a code names an env variable and files"
        assert bank.name_ko.strip() and bank.name_en.strip() and bank.name_en.isascii()
        assert any(not said.isascii() for said in bank.spoken), "a name Korean speakers say"
        assert any(said.isascii() for said in bank.spoken), "a name English speakers say"
        for said in bank.spoken:
            assert said == said.strip().lower() and "  " not in said and said.replace(" ", "").replace("-", ""), said
        assert len(set(bank.spoken)) == len(bank.spoken)
        assert bank.account_groups and all(isinstance(g, int) and g > 0 for g in bank.account_groups)
        assert 8 <= bank.account_digits <= 16
        for number in (contract_accounts.account, contract_accounts.unknown_account):
            assert _WRITTEN.fullmatch(number) and tuple(map(len, number.split("-"))) == bank.account_groups, number
        assert bank.clearing_code is None or re.fullmatch(r"\d{3}", bank.clearing_code)
        if bank.sandbox is not None:
            assert bank.sandbox.module and bank.sandbox.port_offset > 0

    # --- keys and reads ---

    def test_idempotency_keys_are_fresh(self, adapter: PartnerAdapter) -> None:
        keys = {adapter.new_idempotency_key() for _ in range(50)}
        assert len(keys) == 50 and all(isinstance(k, str) and k for k in keys)

    def test_accounts_lists_the_funded_account(self, adapter: PartnerAdapter, contract_accounts: ContractAccounts) -> None:
        found = adapter.accounts(contract_accounts.holder)
        assert contract_accounts.account in [a.number for a in found]
        assert all(a.bank == adapter.name for a in found)

    def test_balance_is_whole_krw(self, adapter: PartnerAdapter, contract_accounts: ContractAccounts) -> None:
        balance = adapter.balance(contract_accounts.account)
        assert (balance.bank, balance.number, balance.currency) == (adapter.name, contract_accounts.account, "KRW")
        assert isinstance(balance.balance, int) and balance.balance >= self.amount

    def test_balance_of_unknown_account_is_unavailable(self, adapter: PartnerAdapter,
                                                        contract_accounts: ContractAccounts) -> None:
        with pytest.raises(AccountUnavailable):
            adapter.balance(contract_accounts.unknown_account)

    def test_wrong_credentials_are_refused(self, bad_credentials_adapter: PartnerAdapter,
                                           contract_accounts: ContractAccounts) -> None:
        with pytest.raises(AuthRefused):
            bad_credentials_adapter.balance(contract_accounts.account)

    def test_transactions_newest_first_after_a_transfer(self, adapter: PartnerAdapter, sandbox_url: str,
                                                        contract_accounts: ContractAccounts) -> None:
        req = self.request(adapter, contract_accounts, amount=1_234)
        adapter.transfer(req)
        page = adapter.transactions(contract_accounts.account, limit=5)
        assert 1 <= len(page.transactions) <= 5
        newest = page.transactions[0]
        assert newest.amount == -1_234 and newest.bank == adapter.name and newest.at.tzinfo is not None
        assert newest.balance_after == adapter.balance(contract_accounts.account).balance
        times = [t.at for t in page.transactions]
        assert times == sorted(times, reverse=True)

    def test_paging_walks_every_transaction_once(self, adapter: PartnerAdapter,
                                                 contract_accounts: ContractAccounts) -> None:
        for _ in range(3):
            adapter.transfer(self.request(adapter, contract_accounts, amount=10))
        walked, cursor = [], None
        for _ in range(8):
            page = adapter.transactions(contract_accounts.account, limit=2, cursor=cursor)
            assert len(page.transactions) <= 2
            walked += page.transactions
            cursor = page.next_cursor
            if cursor is None:
                break
        whole = adapter.transactions(contract_accounts.account, limit=len(walked)).transactions
        assert len(walked) >= 3 and walked == whole

    # --- the recipient check (수취조회) ---

    def test_holder_name_of_an_account(self, adapter: PartnerAdapter, contract_accounts: ContractAccounts) -> None:
        if contract_accounts.payee_bank != adapter.name or not contract_accounts.payee_holder:
            pytest.skip("the recipient check needs a payee at this bank and its holder's name")
        assert adapter.holder_name(contract_accounts.payee_account) == contract_accounts.payee_holder

    def test_holder_name_of_an_unknown_account_is_unavailable(self, adapter: PartnerAdapter,
                                                              contract_accounts: ContractAccounts) -> None:
        with pytest.raises(AccountUnavailable):
            adapter.holder_name(contract_accounts.unknown_account)

    def test_holder_name_when_the_bank_fails_is_unknown(self, adapter: PartnerAdapter, sandbox_url: str,
                                                        contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="any", mode="error_500", count=5)
        with pytest.raises(OutcomeUnknown):
            adapter.holder_name(contract_accounts.account)

    def test_holder_name_gives_up_at_the_timeout(self, adapter: PartnerAdapter, sandbox_url: str,
                                                 adapter_timeout_s: float, contract_accounts: ContractAccounts) -> None:
        adapter.holder_name(contract_accounts.account)  # a token or anything cached, now
        set_fault(sandbox_url, op="any", mode="latency", count=1, delay_ms=int(adapter_timeout_s * 1500))
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown):
            adapter.holder_name(contract_accounts.account)
        assert time.monotonic() - started < adapter_timeout_s + 1.0

    # --- transfers ---

    def test_transfer_posts_once(self, adapter: PartnerAdapter, sandbox_url: str,
                                 contract_accounts: ContractAccounts) -> None:
        before = adapter.balance(contract_accounts.account).balance
        req = self.request(adapter, contract_accounts)
        result = adapter.transfer(req)
        assert (result.idempotency_key, result.state) == (req.idempotency_key, "completed")
        self.assert_posted_once(adapter, sandbox_url, req)
        assert adapter.balance(contract_accounts.account).balance == before - req.amount

    def test_same_key_twice_posts_once(self, adapter: PartnerAdapter, sandbox_url: str,
                                       contract_accounts: ContractAccounts) -> None:
        req = self.request(adapter, contract_accounts)
        assert adapter.transfer(req).state == "completed"
        assert adapter.transfer(req).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_same_key_other_amount_is_refused(self, adapter: PartnerAdapter, sandbox_url: str,
                                              contract_accounts: ContractAccounts) -> None:
        req = self.request(adapter, contract_accounts)
        adapter.transfer(req)
        with pytest.raises(InvalidRequest):
            adapter.transfer(replace(req, amount=req.amount + 1))
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_status_of_completed_and_never_sent(self, adapter: PartnerAdapter,
                                                contract_accounts: ContractAccounts) -> None:
        req = self.request(adapter, contract_accounts)
        adapter.transfer(req)
        assert adapter.transfer_status(req.idempotency_key).state == "completed"
        assert adapter.transfer_status(adapter.new_idempotency_key()).state == "not_found"

    def test_insufficient_funds_is_a_definite_failure(self, adapter: PartnerAdapter, sandbox_url: str,
                                                      contract_accounts: ContractAccounts) -> None:
        balance = adapter.balance(contract_accounts.account).balance
        req = self.request(adapter, contract_accounts, amount=balance + 1)
        with pytest.raises(InsufficientFunds):
            adapter.transfer(req)
        self.assert_not_posted(sandbox_url, req.idempotency_key)
        assert adapter.transfer_status(req.idempotency_key).state == "failed"

    def test_unknown_payee_is_a_definite_failure(self, adapter: PartnerAdapter, sandbox_url: str,
                                                 contract_accounts: ContractAccounts) -> None:
        req = self.request(adapter, contract_accounts, to_bank=adapter.name,
                           to_account=contract_accounts.unknown_account)
        with pytest.raises(AccountUnavailable):
            adapter.transfer(req)
        self.assert_not_posted(sandbox_url, req.idempotency_key)

    def test_non_positive_amount_is_invalid(self, adapter: PartnerAdapter, sandbox_url: str,
                                            contract_accounts: ContractAccounts) -> None:
        req = self.request(adapter, contract_accounts, amount=0)
        with pytest.raises(InvalidRequest):
            adapter.transfer(req)
        self.assert_not_posted(sandbox_url, req.idempotency_key)

    # --- faults: every unknown outcome is settled by status, never by a new key ---

    def test_error_500_on_transfer(self, adapter: PartnerAdapter, sandbox_url: str,
                                   contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="transfer", mode="error_500", count=1)
        req = self.request(adapter, contract_accounts)
        with pytest.raises(OutcomeUnknown):
            adapter.transfer(req)
        self.assert_not_posted(sandbox_url, req.idempotency_key)
        assert adapter.transfer_status(req.idempotency_key).state == "not_found"
        assert adapter.transfer(req).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_timeout_before_commit(self, adapter: PartnerAdapter, sandbox_url: str, adapter_timeout_s: float,
                                   contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="transfer", mode="timeout_before_commit", count=1,
                  delay_ms=int(adapter_timeout_s * 1500))
        req = self.request(adapter, contract_accounts)
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown):
            adapter.transfer(req)
        assert time.monotonic() - started < adapter_timeout_s + 1.0, "the adapter must give up at its timeout"
        assert adapter.transfer_status(req.idempotency_key).state == "not_found"
        self.assert_not_posted(sandbox_url, req.idempotency_key)
        assert adapter.transfer(req).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_timeout_after_commit(self, adapter: PartnerAdapter, sandbox_url: str, adapter_timeout_s: float,
                                  contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="transfer", mode="timeout_after_commit", count=1,
                  delay_ms=int(adapter_timeout_s * 1500))
        req = self.request(adapter, contract_accounts)
        with pytest.raises(OutcomeUnknown):
            adapter.transfer(req)
        assert adapter.transfer_status(req.idempotency_key).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)
        assert adapter.transfer(req).state == "completed"  # the same key again: answered, not re-posted
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_latency_within_the_timeout(self, adapter: PartnerAdapter, sandbox_url: str, adapter_timeout_s: float,
                                        contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="transfer", mode="latency", count=1, delay_ms=int(adapter_timeout_s * 300))
        req = self.request(adapter, contract_accounts)
        assert adapter.transfer(req).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_latency_beyond_the_timeout_on_a_read(self, adapter: PartnerAdapter, sandbox_url: str,
                                                  adapter_timeout_s: float, contract_accounts: ContractAccounts) -> None:
        adapter.balance(contract_accounts.account)  # anything the adapter caches, it caches now
        set_fault(sandbox_url, op="balance", mode="latency", count=1, delay_ms=int(adapter_timeout_s * 1500))
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown):
            adapter.balance(contract_accounts.account)
        assert time.monotonic() - started < adapter_timeout_s + 1.0

    def test_persistent_error_500_on_a_read(self, adapter: PartnerAdapter, sandbox_url: str,
                                            contract_accounts: ContractAccounts) -> None:
        adapter.balance(contract_accounts.account)
        set_fault(sandbox_url, op="balance", mode="error_500", count=5)
        with pytest.raises(PartnerError) as caught:
            adapter.balance(contract_accounts.account)
        assert isinstance(caught.value, OutcomeUnknown) and not isinstance(caught.value, DefinitelyFailed)

    def test_throttled_transfer_is_retry_later(self, adapter: PartnerAdapter, sandbox_url: str,
                                               contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="transfer", mode="throttle", count=1, delay_ms=2000)
        req = self.request(adapter, contract_accounts)
        with pytest.raises(RetryLater) as caught:
            adapter.transfer(req)
        assert caught.value.retry_after == pytest.approx(2, abs=1)
        self.assert_not_posted(sandbox_url, req.idempotency_key)
        assert adapter.transfer_status(req.idempotency_key).state == "not_found"
        assert adapter.transfer(req).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)

    def test_throttled_read_is_retry_later(self, adapter: PartnerAdapter, sandbox_url: str,
                                           contract_accounts: ContractAccounts) -> None:
        adapter.balance(contract_accounts.account)
        set_fault(sandbox_url, op="balance", mode="throttle", count=1)
        with pytest.raises(RetryLater) as caught:
            adapter.balance(contract_accounts.account)
        assert caught.value.retry_after > 0

    def test_processing_then_completed(self, adapter: PartnerAdapter, sandbox_url: str,
                                       contract_accounts: ContractAccounts) -> None:
        set_fault(sandbox_url, op="transfer", mode="processing", count=1, delay_ms=600)
        req = self.request(adapter, contract_accounts)
        with pytest.raises(OutcomeUnknown):
            adapter.transfer(req)
        assert adapter.transfer_status(req.idempotency_key).state == "processing"
        self.assert_not_posted(sandbox_url, req.idempotency_key)
        assert self.settle(adapter, req.idempotency_key).state == "completed"
        self.assert_posted_once(adapter, sandbox_url, req)
