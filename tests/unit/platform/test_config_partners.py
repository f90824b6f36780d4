"""Partner URLs come from the installed banks: `COUCHBANK_<CODE>_URL`, else the sandbox that
`python app.py` starts for the bank (CONTRACT §1: P+1 K-Bank, P+2 Woori)."""
from __future__ import annotations

import pytest

from adapters import registry
from adapters.base import BankInfo, Sandbox
from banking.platform import config

MIRAE = BankInfo("mirae", "미래에셋증권", "Mirae Asset", ("미래 에셋",), (8, 2), Sandbox("mirae_sandbox", 3))
NO_SANDBOX = BankInfo("toss", "토스뱅크", "Toss Bank", ("토스 뱅크",), (4, 4, 4))


def test_the_defaults_are_the_sandboxes_next_to_the_service():
    urls = config.load({}).partner_urls
    assert urls == {bank.code: f"http://127.0.0.1:{8000 + bank.sandbox.port_offset}"
                    for bank in registry.catalogue() if bank.sandbox}
    assert (urls["kbank"], urls["woori"]) == ("http://127.0.0.1:8001", "http://127.0.0.1:8002")
    assert config.load({"COUCHBANK_PORT": "9000"}).partner_urls["woori"] == "http://127.0.0.1:9002"


def test_the_environment_names_each_partner():
    env = {"COUCHBANK_KBANK_URL": "https://kbank.example", "COUCHBANK_MIRAE_URL": "https://mirae.example"}
    assert config.partner_urls(env, 8000, [MIRAE]) == {"mirae": "https://mirae.example"}
    assert config.partner_urls({}, 8000, [MIRAE]) == {"mirae": "http://127.0.0.1:8003"}
    assert config.load(env).partner_urls["kbank"] == "https://kbank.example"


def test_a_partner_with_neither_a_url_nor_a_sandbox_is_refused():
    with pytest.raises(ValueError, match="COUCHBANK_TOSS_URL"):
        config.partner_urls({}, 8000, [NO_SANDBOX])
    assert config.partner_urls({"COUCHBANK_TOSS_URL": "https://toss.example"}, 8000, [NO_SANDBOX]) == {
        "toss": "https://toss.example"}
