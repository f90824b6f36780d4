"""Woori Bank, in the style of the Woori open API.

Every request carries `appKey`, `X-Woori-Timestamp` (Unix seconds, within 300 s) and
`X-Woori-Signature`: lowercase hex HMAC-SHA256 keyed with the app secret over
`METHOD \\n PATH[?QUERY] \\n TIMESTAMP \\n hex(SHA-256(body))`. Bodies are
`{"dataHeader": {...}, "dataBody": {...}}`; answers use real HTTP statuses with
`dataHeader.resCode`; UPPER_SNAKE fields, decimal-string amounts (`"50000.000"`),
`yyyyMMdd` + `HHmmss`. A transfer needs an `Idempotency-Key` header: the same key with
the same body replays the first answer, with another body it is refused (422, E0422).
An `Expire-Dttm` header (yyyyMMddHHmmss, KST) is the instant after which the transfer must
not run: one that arrives later is refused (E1105) and never posted.

Recipient check (수취조회): POST /account/getRcvAcctNm `{RCV_BKCD, RCV_ACNO}` -> `RCV_ACCT_NM`.

resCode: 000 ok | E0400 malformed | E0401 authentication | E0404 not found |
  E0422 key reused with another body | E0429 throttled | E0500 internal error |
  E1101 account unavailable | E1102 insufficient balance | E1103 payee account unavailable |
  E1104 payee bank unavailable | E1105 arrived after Expire-Dttm
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, request

from adapters import woori
from adapters.base import digits_only
from adapters.sandbox import banks, engine, faults, ledger, state
from adapters.sandbox.banks import Bank, Customer, bank_by_code

SCHEMA = ""
SKEW_S = 300
MAX_INQ_CNT = 100
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
REASON_CODES = {
    engine.SOURCE_UNAVAILABLE: ("E1101", "출금계좌 사용 불가"),
    engine.INSUFFICIENT_FUNDS: ("E1102", "잔액이 부족합니다"),
    engine.PAYEE_UNAVAILABLE: ("E1103", "입금계좌 사용 불가"),
    engine.PAYEE_BANK_UNAVAILABLE: ("E1104", "입금은행 장애"),
    engine.EXPIRED: ("E1105", "요청 유효시간 경과"),
}

BANK = Bank(
    info=woori.BANK,
    customers=(
        Customer("1002-345-678901", "demo", "김하나", "우리 WON 통장", 3_400_000),
        Customer("1002-987-654321", "mom", "박미영", "우리 WON 통장", 1_500_000),
        Customer("1002-111-222333", "chulsoo", "김철수", "우리 WON 통장", 800_000),
    ),
)

blueprint = Blueprint("woori", __name__, url_prefix="/oai/wb/v1")


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.body = status, code, body or {}


def _answer(status: int, body: dict[str, Any], code: str = "000", message: str = "정상처리") -> Response:
    header = {"resCode": code, "resMessage": message, "successCode": "0" if code == "000" else "1"}
    return make_response(jsonify({"dataHeader": header, "dataBody": body}), status)


@blueprint.errorhandler(Refusal)
def _refused(exc: Refusal) -> Response:
    return _answer(exc.status, exc.body, exc.code, str(exc))


class _Errors:
    def server_error(self) -> Response:
        return _answer(500, {}, "E0500", "일시적인 오류가 발생했습니다")

    def transfer_key(self) -> str | None:
        return request.headers.get("Idempotency-Key") or None

    def throttled(self, retry_after_s: int) -> Response:
        resp = _answer(429, {}, "E0429", "요청 한도를 초과했습니다")
        resp.headers["Retry-After"] = str(retry_after_s)
        return resp


ERRORS = _Errors()


def amount_text(amount: int) -> str:
    return f"{amount}.000"


def signed(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        creds = state.current().credentials
        timestamp = request.headers.get("X-Woori-Timestamp", "")
        given = request.headers.get("X-Woori-Signature", "")
        if not hmac.compare_digest(request.headers.get("appKey", ""), creds["app_key"]):
            raise Refusal(401, "E0401", "유효하지 않은 appKey")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SKEW_S:
            raise Refusal(401, "E0401", "요청 시각이 허용 범위를 벗어났습니다")
        query = request.query_string.decode()
        target = request.path + ("?" + query if query else "")
        message = "\n".join([request.method, target, timestamp, hashlib.sha256(request.get_data()).hexdigest()])
        expected = hmac.new(creds["app_secret"].encode(), message.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given, expected):
            raise Refusal(401, "E0401", "서명 검증 실패")
        return view(*args, **kwargs)

    return wrapper


def _data_body() -> dict[str, Any]:
    envelope = request.get_json(silent=True)
    body = envelope.get("dataBody") if isinstance(envelope, dict) else None
    if not isinstance(body, dict):
        raise Refusal(400, "E0400", "dataBody 가 없습니다")
    return body


def _own_account(acno: Any) -> ledger.AccountRow:
    sandbox = state.current()
    account = ledger.get_account(sandbox.db.connection(), sandbox.bank.written(str(acno or "")))
    if account is None or not account.open:
        raise Refusal(404, "E1101", "계좌를 찾을 수 없거나 사용할 수 없습니다")
    return account


@blueprint.post("/account/getAccList")
@signed
@faults.faulted("accounts")
def account_list() -> Any:
    cust = str(_data_body().get("CUST_ID", ""))
    if not cust:
        raise Refusal(400, "E0400", "CUST_ID 누락")
    rows = [{"ACNO": digits_only(a.number), "ACT_NM": a.product, "ACCT_HLDR_NM": a.holder_name, "CUCD": "KRW",
             "PBOK_BAL": amount_text(a.balance)} for a in ledger.accounts_of(state.current().db, cust)]
    return _answer(200, {"TOTAL_CNT": str(len(rows)), "REPT_FA": rows})


@blueprint.post("/account/getAccBasicInfo")
@signed
@faults.faulted("balance")
def balance() -> Any:
    account = _own_account(_data_body().get("ACNO"))
    return _answer(200, {"ACNO": digits_only(account.number), "ACT_NM": account.product, "CUCD": "KRW",
                         "PBOK_BAL": amount_text(account.balance), "AVL_BAL": amount_text(account.balance)})


@blueprint.post("/account/getRcvAcctNm")
@signed
@faults.faulted("holder")
def payee_name() -> Any:
    """The recipient check (수취조회): who holds a payee's account here."""
    sandbox = state.current()
    body = _data_body()
    if str(body.get("RCV_BKCD", "")) != sandbox.bank.code:
        raise Refusal(400, "E0400", "RCV_BKCD 오류")
    account = ledger.get_account(sandbox.db.connection(), sandbox.bank.written(str(body.get("RCV_ACNO", ""))))
    if account is None or not account.open:
        raise Refusal(404, "E1103", "입금계좌 사용 불가")
    return _answer(200, {"RCV_BKCD": sandbox.bank.code, "RCV_ACNO": digits_only(account.number),
                         "RCV_ACCT_NM": account.holder_name})


@blueprint.post("/account/getAccTransList")
@signed
@faults.faulted("transactions")
def transactions() -> Any:
    body = _data_body()
    account = _own_account(body.get("ACNO"))
    count, next_key = body.get("INQ_CNT", "20"), str(body.get("NEXT_KEY") or "")
    if not str(count).isdigit() or not 1 <= int(count) <= MAX_INQ_CNT:
        raise Refusal(400, "E0400", f"INQ_CNT 는 1 에서 {MAX_INQ_CNT} 사이")
    if next_key and not next_key.isdigit():
        raise Refusal(400, "E0400", "NEXT_KEY 오류")
    page, more = ledger.postings_page(state.current().db, account.number,
                                      before_id=int(next_key) if next_key else None, size=int(count))
    rows = [{
        "TRN_DT": p.at.strftime("%Y%m%d"), "TRN_TM": p.at.strftime("%H%M%S"),
        "RCV_AM": amount_text(max(p.amount, 0)), "PAY_AM": amount_text(max(-p.amount, 0)),
        "TRN_AF_BAL": amount_text(p.balance_after), "TRN_TXT": p.counterparty,
    } for p in page]
    return _answer(200, {"ACNO": digits_only(account.number), "INQ_CNT": str(len(rows)), "REPT_FA": rows,
                         "NEXT_KEY": f"{page[-1].posting_id:012d}" if more else ""})


def _whole_krw(text: Any) -> int:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise Refusal(400, "E0400", "TRN_AM 형식 오류") from None
    if not value.is_finite() or value <= 0 or value != value.to_integral_value() or value >= 10**12:
        raise Refusal(400, "E0400", "TRN_AM 은 원 단위의 양수")
    return int(value)


def _order(key: str, body: dict[str, Any]) -> engine.Order:
    sandbox = state.current()
    payee_bank = bank_by_code(str(body.get("RCV_BKCD", "")))
    if payee_bank is None:
        raise Refusal(400, "E0400", "RCV_BKCD 오류")
    source, payee = digits_only(str(body.get("WDR_ACNO", ""))), digits_only(str(body.get("RCV_ACNO", "")))
    if not source or not payee:
        raise Refusal(400, "E0400", "WDR_ACNO, RCV_ACNO 는 필수")
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
    try:
        not_after = engine.expiry(request.headers.get("Expire-Dttm"))
    except ValueError:
        raise Refusal(400, "E0400", "Expire-Dttm 헤더 오류 (yyyyMMddHHmmss)") from None
    return engine.Order(
        key=key, body_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        from_account=sandbox.bank.written(source), to_bank=payee_bank.id, to_account=payee_bank.written(payee),
        to_name=str(body.get("RCV_ACCT_NM", "")), amount=_whole_krw(body.get("TRN_AM")),
        memo=str(body.get("WDR_PBOK_PRNG_TXT", "")), not_after=not_after,
    )


def _transfer_body(record: engine.Record, state_name: str) -> dict[str, Any]:
    return {
        "TRN_NO": record.bank_ref, "IDMP_KEY": record.key, "TRN_STS": state_name.upper(),
        "TRN_AM": amount_text(record.amount), "WDR_ACNO": digits_only(record.from_account),
        "RCV_BKCD": banks.installed()[record.to_bank].code, "RCV_ACNO": digits_only(record.to_account),
        "RCV_ACCT_NM": record.payee_name, "TRN_DT": record.received_at.strftime("%Y%m%d"),
        "TRN_TM": record.received_at.strftime("%H%M%S"),
    }


def _transfer_answer(record: engine.Record, state_name: str, reason: str | None) -> Response:
    body = _transfer_body(record, state_name)
    if state_name == "failed":
        code, message = REASON_CODES[reason or engine.SOURCE_UNAVAILABLE]
        return _answer(422, body | {"FAIL_CD": code}, code, message)
    return _answer(202 if state_name == "processing" else 200, body)


@blueprint.post("/trans/transfers")
@signed
@faults.faulted("transfer")
def transfer() -> Any:
    sandbox = state.current()
    key = request.headers.get("Idempotency-Key", "")
    if not _KEY.match(key):
        raise Refusal(400, "E0400", "Idempotency-Key 헤더 오류 (8~64자 [A-Za-z0-9_-])")
    order = _order(key, _data_body())
    record, created = engine.submit(sandbox, order, processing_delay_ms=faults.processing_delay_ms())
    if not created and record.body_hash != order.body_hash:
        raise Refusal(422, "E0422", "같은 Idempotency-Key 로 다른 요청을 보낼 수 없습니다")
    # a replay answers what the first request was answered, as it was answered
    answer = _transfer_answer(record, record.first_state, record.reason if record.first_state == "failed" else None)
    if not created:
        answer.headers["Idempotent-Replayed"] = "true"
    return answer


@blueprint.get("/trans/transfers/<key>")
@signed
@faults.faulted("status")
def transfer_status(key: str) -> Any:
    sandbox = state.current()
    engine.settle_due(sandbox)
    record = engine.find(sandbox, key)
    if record is None and engine.in_flight(key):
        return _answer(200, {"IDMP_KEY": key, "TRN_STS": "PROCESSING"})
    if record is None:
        raise Refusal(404, "E0404", "해당 거래가 없습니다")
    body = _transfer_body(record, record.state)
    if record.state == "failed":
        body["FAIL_CD"] = REASON_CODES[record.reason or engine.SOURCE_UNAVAILABLE][0]
    return _answer(200, body)
