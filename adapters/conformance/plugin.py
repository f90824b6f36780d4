"""pytest plugin of the conformance kit: command-line options and the fixtures
`AdapterContract` needs, for an adapter installed under the `couchbank.adapters` group.

    pytest -p adapters.conformance.plugin --pyargs adapters.conformance \\
        --adapter NAME --base-url URL --data-dir DIR [--adapter-timeout 1] \\
        [--holder ID --account NO --payee-bank NAME --payee-account NO --payee-name NAME --unknown-account NO
         --payee-holder NAME]

(Options must come from a plugin loaded with -p: pytest reads `pytest_addoption` only
from plugins and root conftest files.)
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters import registry
from adapters.base import PartnerAdapter
from adapters.conformance.contract import DEMO_ACCOUNTS, ContractAccounts
from adapters.credentials import partner_credentials

_ACCOUNT_OPTIONS = ("holder", "account", "payee_bank", "payee_account", "payee_name", "unknown_account")
#: optional: without it, the kit skips the holder's name check of the recipient check
_OPTIONAL = ("payee_holder",)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("couchbank conformance")
    group.addoption("--adapter", help="entry-point name of the adapter under test")
    group.addoption("--base-url", help="base URL of the partner's sandbox")
    group.addoption("--data-dir", type=Path, help="data dir the adapter's credentials are read from")
    group.addoption("--adapter-timeout", type=float, default=1.0, help="adapter timeout in seconds (default 1)")
    for name in (*_ACCOUNT_OPTIONS, *_OPTIONAL):
        group.addoption("--" + name.replace("_", "-"), help=f"ContractAccounts.{name} (defaults for kbank/woori)")


def _option(config: pytest.Config, name: str) -> object:
    value = config.getoption(name)
    if value is None:
        pytest.skip(f"the conformance kit needs --{name.replace('_', '-')}")
    return value


@pytest.fixture(scope="session")
def adapter_timeout_s(pytestconfig: pytest.Config) -> float:
    return float(pytestconfig.getoption("adapter_timeout"))


@pytest.fixture(scope="session")
def sandbox_url(pytestconfig: pytest.Config) -> str:
    return str(_option(pytestconfig, "base_url")).rstrip("/")


@pytest.fixture(scope="session")
def contract_accounts(pytestconfig: pytest.Config) -> ContractAccounts:
    name = str(_option(pytestconfig, "adapter"))
    given = {k: pytestconfig.getoption(k) for k in (*_ACCOUNT_OPTIONS, *_OPTIONAL)
             if pytestconfig.getoption(k) is not None}
    if name in DEMO_ACCOUNTS:
        return ContractAccounts(**{**DEMO_ACCOUNTS[name].__dict__, **given})
    missing = [k for k in _ACCOUNT_OPTIONS if k not in given]
    if missing:
        pytest.skip("the conformance kit needs " + ", ".join("--" + k.replace("_", "-") for k in missing))
    return ContractAccounts(**given)


def _build(config: pytest.Config, sandbox_url: str, timeout_s: float, *, wrong: bool) -> PartnerAdapter:
    name = str(_option(config, "adapter"))
    cls = registry.available()[name]
    creds = partner_credentials(name, Path(str(_option(config, "data_dir"))), cls.bank.credentials)
    if wrong:  # same fields, wrong values (a key prefix like K-Bank's org code stays valid)
        creds = {k: v if k == "org_code" else f"wrong-{k}" for k, v in creds.items()}
    return cls(base_url=sandbox_url, timeout_s=timeout_s, credentials=creds)


@pytest.fixture
def adapter(pytestconfig: pytest.Config, sandbox_url: str, adapter_timeout_s: float) -> Iterator[PartnerAdapter]:
    instance = _build(pytestconfig, sandbox_url, adapter_timeout_s, wrong=False)
    yield instance
    instance.close()


@pytest.fixture
def bad_credentials_adapter(pytestconfig: pytest.Config, sandbox_url: str,
                            adapter_timeout_s: float) -> Iterator[PartnerAdapter]:
    instance = _build(pytestconfig, sandbox_url, adapter_timeout_s, wrong=True)
    yield instance
    instance.close()
