"""Every installed adapter (K-Bank, Woori, the `mirae` plugin) passes the partner conformance
kit against its sandbox, over real HTTP."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters import registry
from adapters.base import PartnerAdapter
from adapters.conformance import DEMO_ACCOUNTS, AdapterContract, ContractAccounts
from adapters.credentials import partner_credentials
from adapters.sandbox.testing import SandboxUrls

TIMEOUT_S = 1.0


class BuiltInContract(AdapterContract):
    bank: str

    @pytest.fixture
    def adapter_timeout_s(self) -> float:
        return TIMEOUT_S

    @pytest.fixture
    def sandbox_url(self, sandboxes: SandboxUrls) -> str:
        return sandboxes[self.bank]

    @pytest.fixture
    def contract_accounts(self) -> ContractAccounts:
        if self.bank == "mirae":
            return pytest.importorskip("couchbank_mirae.conformance").CONTRACT_ACCOUNTS
        return DEMO_ACCOUNTS[self.bank]

    @pytest.fixture
    def adapter(self, sandbox_url: str, sandbox_data_dir: Path) -> Iterator[PartnerAdapter]:
        instance = registry.create(self.bank, base_url=sandbox_url, timeout_s=TIMEOUT_S, data_dir=sandbox_data_dir)
        yield instance
        instance.close()

    @pytest.fixture
    def bad_credentials_adapter(self, sandbox_url: str, sandbox_data_dir: Path) -> Iterator[PartnerAdapter]:
        cls = registry.available()[self.bank]
        creds = partner_credentials(self.bank, sandbox_data_dir, cls.bank.credentials)
        wrong = {k: v if k == "org_code" else "wrong" for k, v in creds.items()}
        instance = cls(base_url=sandbox_url, timeout_s=TIMEOUT_S, credentials=wrong)
        yield instance
        instance.close()


class TestKBankConformance(BuiltInContract):
    bank = "kbank"


class TestWooriConformance(BuiltInContract):
    bank = "woori"


class TestMiraeConformance(BuiltInContract):
    bank = "mirae"
