"""Mirae's dialect as its adapter reads it: account numbers of 8 + 2 digits, `rt_cd`/`msg_cd`
answers mapped to the port's errors (its throttle is a 500), its paging cursor; and its split
account numbers kept out of the sandbox's log lines."""
from __future__ import annotations

import pytest

from adapters import paging

pytest.importorskip("couchbank_mirae")

from couchbank_mirae import adapter, wire  # noqa: E402

from adapters.base import (  # noqa: E402
    AccountUnavailable,
    AuthRefused,
    DefinitelyFailed,
    InsufficientFunds,
    InvalidRequest,
    OutcomeUnknown,
    RetryLater,
)
from adapters.sandbox.logs import mask_numbers  # noqa: E402


def test_an_account_number_is_8_plus_2_digits():
    assert wire.split_account("5012-3456-78") == ("50123456", "78")
    assert wire.split_account("5012345678") == ("50123456", "78")
    with pytest.raises(ValueError):
        wire.split_account("100-123-456789")


def _answer(msg_cd: str, rt_cd: str = "1", **outputs: object) -> dict[str, object]:
    return {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": "", **outputs}


@pytest.mark.parametrize(("status", "body", "error"), [
    (500, _answer(wire.THROTTLED, output1={"RTRY_WAIT_SEC": "2"}), RetryLater),
    (500, _answer(wire.GATEWAY_ERROR), OutcomeUnknown),
    (500, None, OutcomeUnknown),
    (401, _answer(wire.TOKEN_EXPIRED), adapter.TokenExpired),
    (401, _answer(wire.BAD_TOKEN), AuthRefused),
    (200, _answer(wire.INSUFFICIENT_FUNDS), InsufficientFunds),
    (200, _answer(wire.SOURCE_UNAVAILABLE), AccountUnavailable),
    (200, _answer(wire.PAYEE_UNAVAILABLE), AccountUnavailable),
    (200, _answer(wire.EXPIRED), DefinitelyFailed),
    (200, _answer(wire.KEY_REUSED), InvalidRequest),
    (200, _answer(wire.WRONG_TR_ID), InvalidRequest),
    (200, _answer("MCA09999"), OutcomeUnknown),  # an unknown code may hide a posted transfer
    (200, _answer(wire.NOT_FOUND), OutcomeUnknown),
])
def test_answers_map_to_the_ports_errors(status, body, error):
    with pytest.raises(error) as caught:
        adapter.check(status, body)
    if error is RetryLater:
        assert caught.value.retry_after == 2


def test_a_processing_answer_is_not_an_error_but_not_a_success_either():
    body = _answer(wire.PROCESSING, rt_cd="0", output1={"TRFR_STAT_CD": wire.IN_PROGRESS})
    assert adapter.check(200, body) is body  # the adapter reads the state and says OutcomeUnknown


def test_the_cursor_round_trips_and_refuses_junk():
    assert paging.decode_cursor(paging.encode_cursor("000123", 5)) == ("000123", 5)
    assert paging.decode_cursor(None) == ("", 0)
    with pytest.raises(InvalidRequest):
        paging.decode_cursor("not-a-cursor")


def test_keys_are_order_numbers_of_20():
    mirae = adapter.MiraeAdapter(base_url="http://127.0.0.1:9", timeout_s=1,
                                 credentials={"app_key": "k", "app_secret": "s"})
    keys = {mirae.new_idempotency_key() for _ in range(20)}
    assert len(keys) == 20 and all(len(k) == 20 and k.isalnum() and k.isupper() for k in keys)
    assert "s" not in repr(mirae).replace("base_url", "")
    mirae.close()


def test_the_split_account_number_is_masked_in_sandbox_log_lines():
    line = '"GET /uapi/cma/v1/holder?CANO=50987654&ACNT_PRDT_CD=32 HTTP/1.1" 200 -'
    assert "50987654" not in mask_numbers(line) and "CANO=****" in mask_numbers(line)
