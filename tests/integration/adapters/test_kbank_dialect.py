"""The K-Bank sandbox speaks KFTC: always 200 with rsp_code, OAuth2, integer strings."""
import re

import pytest
import requests

from adapters import registry
from adapters.base import TransferRequest
from adapters.credentials import partner_credentials
from adapters.sandbox.testing import postings_for, set_fault

from .helpers import kbank_token, kbank_tran_id, kbank_withdraw


@pytest.fixture
def url(sandbox_faults_cleared):
    return sandbox_faults_cleared.kbank


@pytest.fixture
def adapter(url, sandbox_data_dir):
    instance = registry.create("kbank", base_url=url, timeout_s=2, data_dir=sandbox_data_dir)
    yield instance
    instance.close()


def fintech_of(url, token, account="100123456789"):
    listing = requests.get(f"{url}/v2.0/account/list", params={"user_seq_no": "demo"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    return next(i["fintech_use_num"] for i in listing["res_list"] if i["account_num"] == account)


def test_token_is_client_credentials_with_scopes(url, sandbox_data_dir):
    creds = partner_credentials("kbank", sandbox_data_dir)
    good = requests.post(f"{url}/oauth/2.0/token", data={**creds, "grant_type": "client_credentials",
                                                         "scope": "inquiry transfer"}, timeout=5).json()
    assert good["token_type"] == "Bearer" and good["expires_in"] > 0 and good["scope"] == "inquiry transfer"
    wrong = requests.post(f"{url}/oauth/2.0/token", data={**creds, "client_secret": "nope",
                                                          "grant_type": "client_credentials", "scope": "inquiry"},
                          timeout=5)
    assert wrong.status_code == 200 and wrong.json()["rsp_code"] == "O0001"


def test_scope_is_enforced(url, sandbox_data_dir):
    token = kbank_token(url, sandbox_data_dir, scope="inquiry")
    resp = kbank_withdraw(url, token, kbank_tran_id(sandbox_data_dir), fintech_of(url, token), "1000")
    assert resp.status_code == 200 and resp.json()["rsp_code"] == "O0003"


def test_answers_are_flat_kftc_json(url, sandbox_data_dir):
    token = kbank_token(url, sandbox_data_dir)
    fintech = fintech_of(url, token)
    resp = requests.get(f"{url}/v2.0/account/balance/fin_num", headers={"Authorization": f"Bearer {token}"},
                        params={"bank_tran_id": kbank_tran_id(sandbox_data_dir), "fintech_use_num": fintech,
                                "tran_dtime": "20250101120000"}, timeout=5).json()
    assert (resp["rsp_code"], resp["bank_rsp_code"]) == ("A0000", "000")
    assert re.fullmatch(r"\d+", resp["balance_amt"])
    assert re.fullmatch(r"\d{17}", resp["api_tran_dtm"])


def test_malformed_bank_tran_id_is_a0004(url, sandbox_data_dir):
    token = kbank_token(url, sandbox_data_dir)
    resp = kbank_withdraw(url, token, "M000000000UABC", fintech_of(url, token), "1000")
    assert resp.status_code == 200 and resp.json()["rsp_code"] == "A0004"


def test_repeated_bank_tran_id_is_822_and_posts_once(url, sandbox_data_dir):
    token = kbank_token(url, sandbox_data_dir)
    fintech, tran_id = fintech_of(url, token), kbank_tran_id(sandbox_data_dir)
    first = kbank_withdraw(url, token, tran_id, fintech, "1000").json()
    again = kbank_withdraw(url, token, tran_id, fintech, "1000").json()
    assert (first["rsp_code"], first["tran_amt"]) == ("A0000", "1000")
    assert (again["rsp_code"], again["bank_rsp_code"]) == ("A0002", "822")
    assert sorted(p["amount"] for p in postings_for(url, tran_id)) == [-1000, 1000]


def test_status_inquiry(url, sandbox_data_dir):
    token = kbank_token(url, sandbox_data_dir)
    tran_id = kbank_tran_id(sandbox_data_dir)
    kbank_withdraw(url, token, tran_id, fintech_of(url, token), "1000")
    resp = requests.post(f"{url}/v2.0/transfer/result", headers={"Authorization": f"Bearer {token}"}, json={
        "check_type": "1", "tran_dtime": "20250101120000", "req_cnt": "1",
        "req_list": [{"tran_no": "1", "org_bank_tran_id": tran_id}, {"tran_no": "2", "org_bank_tran_id": "X"}]},
        timeout=5).json()
    assert [i["bank_rsp_code"] for i in resp["res_list"]] == ["000", "529"]


def test_throttle_is_http_429_with_retry_after_and_a0013(url, sandbox_data_dir):
    token = kbank_token(url, sandbox_data_dir)
    set_fault(url, op="transfer", mode="throttle", count=1, delay_ms=3000)
    resp = kbank_withdraw(url, token, kbank_tran_id(sandbox_data_dir), fintech_of(url, token), "1000")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3" and resp.json()["rsp_code"] == "A0013"


def test_expired_token_is_renewed_by_the_adapter(url, adapter):
    assert adapter.balance("100-123-456789").balance > 0
    requests.delete(f"{url}/_sandbox/tokens", timeout=5).raise_for_status()
    assert adapter.balance("100-123-456789").balance > 0


def test_expired_token_before_a_transfer_is_safe_to_resend(url, adapter):
    adapter.balance("100-123-456789")
    requests.delete(f"{url}/_sandbox/tokens", timeout=5).raise_for_status()
    req = TransferRequest(adapter.new_idempotency_key(), "100-123-456789", "kbank", "100-555-000111", "아빠", 700)
    assert adapter.transfer(req).state == "completed"
    assert sorted(p["amount"] for p in postings_for(url, req.idempotency_key)) == [-700, 700]


def test_paging_crosses_bank_pages(url, adapter):
    for _ in range(12):
        adapter.transfer(TransferRequest(adapter.new_idempotency_key(), "100-555-000111", "kbank",
                                         "100-123-456789", "김하나", 10))
    walked, cursor = [], None
    while True:
        page = adapter.transactions("100-555-000111", limit=5, cursor=cursor)
        walked += page.transactions
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(walked) >= 12
    assert walked == adapter.transactions("100-555-000111", limit=len(walked)).transactions
    assert adapter.transactions("100-555-000111", limit=len(walked)).next_cursor is None
