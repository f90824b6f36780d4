"""The Woori sandbox: signed requests, envelopes, real statuses, Idempotency-Key."""
import time
import uuid

import pytest

from adapters.sandbox.testing import postings_for, set_fault

from .helpers import woori_call

TRANSFER = {"WDR_ACNO": "1002345678901", "TRN_AM": "1000.000", "RCV_BKCD": "020", "RCV_ACNO": "1002111222333",
            "RCV_ACCT_NM": "김철수"}


@pytest.fixture
def url(sandbox_faults_cleared):
    return sandbox_faults_cleared.woori


def test_signed_balance_in_an_envelope(url, sandbox_data_dir):
    resp = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/account/getAccBasicInfo", {"ACNO": "1002345678901"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["dataHeader"]["resCode"] == "000"
    assert body["dataBody"]["PBOK_BAL"].endswith(".000")


@pytest.mark.parametrize("change", [{"secret": "wrong"}, {"timestamp": int(time.time()) - 3600}])
def test_bad_signature_or_stale_timestamp_is_401(url, sandbox_data_dir, change):
    resp = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/account/getAccBasicInfo",
                      {"ACNO": "1002345678901"}, **change)
    assert resp.status_code == 401 and resp.json()["dataHeader"]["resCode"] == "E0401"


def test_unknown_account_is_404(url, sandbox_data_dir):
    resp = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/account/getAccBasicInfo", {"ACNO": "1002999000000"})
    assert resp.status_code == 404


def test_transfer_needs_an_idempotency_key(url, sandbox_data_dir):
    resp = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers", TRANSFER)
    assert resp.status_code == 400


def test_same_key_same_body_replays_other_body_is_422(url, sandbox_data_dir):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers", TRANSFER, headers=key)
    again = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers", TRANSFER, headers=key)
    other = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers",
                       {**TRANSFER, "TRN_AM": "2000.000"}, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["dataBody"]["TRN_NO"] == again.json()["dataBody"]["TRN_NO"]
    assert other.status_code == 422 and other.json()["dataHeader"]["resCode"] == "E0422"
    assert sorted(p["amount"] for p in postings_for(url, key["Idempotency-Key"])) == [-1000, 1000]


def test_fractional_won_is_refused(url, sandbox_data_dir):
    resp = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers", {**TRANSFER, "TRN_AM": "10.500"},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert resp.status_code == 400


def test_status_by_key(url, sandbox_data_dir):
    key = str(uuid.uuid4())
    assert woori_call(url, sandbox_data_dir, "GET", f"/oai/wb/v1/trans/transfers/{key}").status_code == 404
    woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers", TRANSFER, headers={"Idempotency-Key": key})
    resp = woori_call(url, sandbox_data_dir, "GET", f"/oai/wb/v1/trans/transfers/{key}")
    assert resp.status_code == 200 and resp.json()["dataBody"]["TRN_STS"] == "COMPLETED"


def test_next_key_paging(url, sandbox_data_dir):
    for _ in range(2):
        woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/trans/transfers", TRANSFER,
                   headers={"Idempotency-Key": str(uuid.uuid4())})
    first = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/account/getAccTransList",
                       {"ACNO": "1002111222333", "INQ_CNT": "1"}).json()["dataBody"]
    assert len(first["REPT_FA"]) == 1 and first["NEXT_KEY"]
    second = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/account/getAccTransList",
                        {"ACNO": "1002111222333", "INQ_CNT": "1", "NEXT_KEY": first["NEXT_KEY"]}).json()["dataBody"]
    assert second["REPT_FA"] and second["REPT_FA"] != first["REPT_FA"]


def test_throttle_is_429_with_retry_after(url, sandbox_data_dir):
    set_fault(url, op="balance", mode="throttle", count=1, delay_ms=2000)
    resp = woori_call(url, sandbox_data_dir, "POST", "/oai/wb/v1/account/getAccBasicInfo", {"ACNO": "1002345678901"})
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "2"
    assert resp.json()["dataHeader"]["resCode"] == "E0429"
