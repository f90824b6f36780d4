import hashlib
import hmac

import pytest
from hypothesis import given, strategies as st

from adapters import woori
from adapters.base import (
    AccountUnavailable,
    AuthRefused,
    DefinitelyFailed,
    InsufficientFunds,
    InvalidRequest,
    OutcomeUnknown,
    RetryLater,
)


def envelope(code="000", **body):
    return {"dataHeader": {"resCode": code}, "dataBody": body}


@pytest.mark.parametrize("status, code, error", [
    (422, "E1102", InsufficientFunds),
    (422, "E1101", AccountUnavailable),
    (422, "E1103", AccountUnavailable),
    (404, "E1101", AccountUnavailable),
    (422, "E0422", InvalidRequest),
    (422, "E1104", DefinitelyFailed),
    (400, "E0400", InvalidRequest),
    (401, "E0401", AuthRefused),
    (500, "E0500", OutcomeUnknown),
    (502, "", OutcomeUnknown),
    (202, "000", OutcomeUnknown),
    (302, "", OutcomeUnknown),
])
def test_answers_are_classified(status, code, error):
    with pytest.raises(error):
        woori.check(status, {}, envelope(code))


def test_throttle_reads_retry_after():
    with pytest.raises(RetryLater) as caught:
        woori.check(429, {"Retry-After": "4"}, envelope("E0429"))
    assert caught.value.retry_after == 4


def test_signature_is_hmac_over_method_target_time_and_body_hash():
    body = b'{"dataBody":{}}'
    message = "POST\n/oai/wb/v1/x?a=1\n1700000000\n" + hashlib.sha256(body).hexdigest()
    expected = hmac.new(b"secret", message.encode(), hashlib.sha256).hexdigest()
    assert woori.signature("secret", "POST", "/oai/wb/v1/x?a=1", "1700000000", body) == expected


@given(st.integers(min_value=0, max_value=10**12))
def test_amounts_round_trip(amount):
    assert woori.parse_woori_amount(woori.woori_amount(amount)) == amount


@pytest.mark.parametrize("text", ["12.5", "abc", "NaN"])
def test_fractional_or_junk_amounts_are_not_trusted(text):
    with pytest.raises(OutcomeUnknown):
        woori.parse_woori_amount(text)


@pytest.mark.parametrize("sts, state", [("COMPLETED", "completed"), ("PROCESSING", "processing"),
                                        ("FAILED", "failed"), ("SOMETHING_NEW", "processing")])
def test_transfer_states(sts, state):
    assert woori.state_of({"TRN_STS": sts})[0] == state


def test_transaction_amount_is_credit_minus_debit():
    row = {"TRN_DT": "20250102", "TRN_TM": "030405", "RCV_AM": "0.000", "PAY_AM": "50000.000",
           "TRN_AF_BAL": "3350000.000", "TRN_TXT": "김영수"}
    tx = woori.transaction_of(row)
    assert (tx.amount, tx.balance_after, tx.counterparty) == (-50000, 3350000, "김영수")
    assert tx.at.utcoffset().total_seconds() == 9 * 3600
