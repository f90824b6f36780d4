import datetime as dt
import re

import pytest
from hypothesis import given, strategies as st

from adapters import kbank, paging
from adapters.base import (
    AccountUnavailable,
    AuthRefused,
    DefinitelyFailed,
    InsufficientFunds,
    InvalidRequest,
    OutcomeUnknown,
    RetryLater,
)


def ok(**fields):
    return {"rsp_code": "A0000", "rsp_message": "", **fields}


@pytest.mark.parametrize("status, payload, error", [
    (200, {"rsp_code": "A0002", "bank_rsp_code": "551"}, InsufficientFunds),
    (200, {"rsp_code": "A0002", "bank_rsp_code": "412"}, AccountUnavailable),
    (200, {"rsp_code": "A0002", "bank_rsp_code": "413"}, AccountUnavailable),
    (200, {"rsp_code": "A0002", "bank_rsp_code": "415"}, AccountUnavailable),
    (200, {"rsp_code": "A0002", "bank_rsp_code": "812"}, DefinitelyFailed),
    (200, {"rsp_code": "A0002", "bank_rsp_code": "822"}, kbank.DuplicateTransfer),
    (200, {"rsp_code": "A0002", "bank_rsp_code": "999"}, OutcomeUnknown),
    (200, {"rsp_code": "A0004"}, InvalidRequest),
    (200, {"rsp_code": "A0007", "bank_rsp_code": "800"}, OutcomeUnknown),
    (200, {"rsp_code": "A0001"}, OutcomeUnknown),
    (200, {"rsp_code": "O0001"}, AuthRefused),
    (200, {"rsp_code": "O0003"}, AuthRefused),
    (200, {"rsp_code": "O0002"}, kbank.TokenExpired),
    (200, None, OutcomeUnknown),
    (500, {"rsp_code": "A0001"}, OutcomeUnknown),
    (503, None, OutcomeUnknown),
    (401, None, AuthRefused),
    (404, None, InvalidRequest),
])
def test_answers_are_classified(status, payload, error):
    with pytest.raises(error):
        kbank.check(status, {}, payload)


def test_processing_is_unknown_not_failed():
    with pytest.raises(OutcomeUnknown) as caught:
        kbank.check(200, {}, {"rsp_code": "A0007"})
    assert not isinstance(caught.value, DefinitelyFailed)


def test_throttle_carries_retry_after():
    with pytest.raises(RetryLater) as caught:
        kbank.check(429, {"Retry-After": "3"}, {"rsp_code": "A0013"})
    assert caught.value.retry_after == 3


def test_success_returns_the_payload():
    assert kbank.check(200, {}, ok(bank_rsp_code="000", balance_amt="10"))["balance_amt"] == "10"


@pytest.mark.parametrize("code, state", [("000", "completed"), ("800", "processing"), ("529", "not_found"),
                                         ("551", "failed"), ("413", "failed"), ("xyz", "processing")])
def test_result_items_map_to_states(code, state):
    assert kbank.result_of("K", {"bank_rsp_code": code, "bank_tran_id": "K"}).state == state


def test_bank_tran_id_format():
    tran_id = kbank.new_bank_tran_id("M123456789")
    assert re.fullmatch(r"M123456789U[0-9A-Z]{9}", tran_id)


def test_kftc_times_are_kst():
    at = kbank.parse_kftc_time("20250102", "030405")
    assert at == dt.datetime(2025, 1, 1, 18, 4, 5, tzinfo=dt.timezone.utc)
    assert kbank.kftc_dtime(at) == "20250102030405"


def test_transaction_sign_follows_inout_type():
    row = {"tran_date": "20250102", "tran_time": "030405", "inout_type": "출금", "print_content": "박미영",
           "tran_amt": "50000", "after_balance_amt": "1200000"}
    assert kbank.transaction_of(row).amount == -50000
    assert kbank.transaction_of({**row, "inout_type": "입금"}).amount == 50000


@given(st.text(max_size=30), st.integers(min_value=0, max_value=10**6))
def test_cursor_round_trip(trace, skip):
    assert paging.decode_cursor(paging.encode_cursor(trace, skip)) == (trace, skip)


@pytest.mark.parametrize("cursor", ["!!", "bm90IGpzb24=", paging.encode_cursor("x", 0)[:-4] + "AAAA"])
def test_malformed_cursor_is_invalid(cursor):
    with pytest.raises(InvalidRequest):
        paging.decode_cursor(cursor)


def test_repr_hides_credentials():
    adapter = kbank.KBankAdapter(base_url="http://127.0.0.1:9", timeout_s=1,
                                 credentials={"client_id": "id-x", "client_secret": "s3cret", "org_code": "M000000001"})
    assert "s3cret" not in repr(adapter) and "id-x" not in repr(adapter)
