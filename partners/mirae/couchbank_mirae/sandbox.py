"""Mirae Asset's CMA open API as a sandbox dialect (`python -m adapters.sandbox mirae`),
served by couchbank's sandbox kit: the ledger, the operator API and faults (CONTRACT §5) and
interbank delivery come from `adapters.sandbox`; this module is only the wire (see
`couchbank_mirae.wire`).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, request

from adapters.base import digits_only
from adapters.sandbox import banks, engine, faults, ledger, state
from adapters.sandbox.banks import Bank, Customer, bank_by_code
from couchbank_mirae import adapter, wire

SCHEMA = """
CREATE TABLE IF NOT EXISTS mirae_tokens (token_hash TEXT PRIMARY KEY, expires_at REAL NOT NULL);
"""
TOKEN_TTL_S = 86400
_ORDER_NO = re.compile(r"^[0-9A-Z]{20}$")
REASON_CODES = {
    engine.SOURCE_UNAVAILABLE: (wire.SOURCE_UNAVAILABLE, "출금계좌를 사용할 수 없습니다."),
    engine.INSUFFICIENT_FUNDS: (wire.INSUFFICIENT_FUNDS, "주문가능금액을 초과 했습니다."),
    engine.PAYEE_UNAVAILABLE: (wire.PAYEE_UNAVAILABLE, "수취계좌가 없습니다."),
    engine.PAYEE_BANK_UNAVAILABLE: (wire.PAYEE_BANK_UNAVAILABLE, "수취은행 장애입니다."),
    engine.EXPIRED: (wire.EXPIRED, "주문 유효시간이 지났습니다."),
}
BANK = Bank(
    info=adapter.BANK,
    customers=(
        Customer("5012-3456-78", "demo", "김하나", "미래에셋 CMA-RP", 5_000_000),
        Customer("5098-7654-32", "sujin", "이수진", "미래에셋 CMA-RP", 700_000),
    ),
)

blueprint = Blueprint("mirae", __name__)


class Refusal(Exception):
    def __init__(self, msg_cd: str, msg1: str, status: int = 200, output1: Any = None) -> None:
        super().__init__(msg1)
        self.msg_cd, self.status, self.output1 = msg_cd, status, output1


def _answer(output1: Any = None, output2: Any = None, *, msg_cd: str = wire.OK, msg1: str = "정상처리 되었습니다.",
            rt_cd: str = "0", status: int = 200, tr_cont: str | None = None, **top: str) -> Response:
    """`top`: fields beside the outputs, as the paging keys are."""
    body: dict[str, Any] = {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1, **top}
    if output1 is not None:
        body["output1"] = output1
    if output2 is not None:
        body["output2"] = output2
    resp = make_response(jsonify(body), status)
    if tr_cont is not None:
        resp.headers["tr-cont"] = tr_cont
    return resp


@blueprint.errorhandler(Refusal)
def _refused(exc: Refusal) -> Response:
    return _answer(exc.output1, msg_cd=exc.msg_cd, msg1=str(exc), rt_cd="1", status=exc.status)


class _Errors:
    def server_error(self) -> Response:
        return _answer(msg_cd=wire.GATEWAY_ERROR, msg1="시스템 오류가 발생했습니다.", rt_cd="1", status=500)

    def transfer_key(self) -> str | None:
        body = request.get_json(silent=True)
        return str(body.get("CLNT_ORD_NO", "")) or None if isinstance(body, dict) else None

    def throttled(self, retry_after_s: int) -> Response:
        # Mirae's gateway throttles with a 500, not a 429: only msg_cd tells it from a failure
        return _answer({"RTRY_WAIT_SEC": str(retry_after_s)}, msg_cd=wire.THROTTLED,
                       msg1="초당 거래건수를 초과하였습니다.", rt_cd="1", status=500)


ERRORS = _Errors()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


@blueprint.post(wire.TOKEN_PATH)
@faults.faulted("token")
def token() -> Any:
    creds = state.current().credentials
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    if body.get("grant_type") != "client_credentials":
        return make_response(jsonify({"error_code": "EGW00002", "error_description": "grant_type 오류"}), 403)
    if not (_same(str(body.get("appkey", "")), creds["app_key"])
            and _same(str(body.get("appsecret", "")), creds["app_secret"])):
        refused = {"error_code": wire.BAD_APP_KEY, "error_description": "유효하지 않은 AppKey입니다."}
        return make_response(jsonify(refused), 403)
    access_token = secrets.token_urlsafe(32)
    with state.current().db.transaction() as conn:
        conn.execute("DELETE FROM mirae_tokens WHERE expires_at <= ?", (time.time(),))
        conn.execute("INSERT INTO mirae_tokens VALUES (?, ?)", (_token_hash(access_token), time.time() + TOKEN_TTL_S))
    return jsonify({"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_TTL_S})


@blueprint.delete("/_sandbox/tokens")
def expire_tokens() -> Any:
    """Operator extra: expire every token, to exercise the client's renewal."""
    with state.current().db.transaction() as conn:
        conn.execute("UPDATE mirae_tokens SET expires_at = 0")
    return jsonify({"expired": True})


def operation(tr_id: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The gateway's checks, in its order: app key and secret, token, then the `tr_id`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sandbox = state.current()
            creds = sandbox.credentials
            if not (_same(request.headers.get("appkey", ""), creds["app_key"])
                    and _same(request.headers.get("appsecret", ""), creds["app_secret"])):
                raise Refusal(wire.BAD_APP_KEY, "유효하지 않은 AppKey입니다.", 401)
            header = request.headers.get("authorization", "")
            if not header.startswith("Bearer "):
                raise Refusal(wire.BAD_TOKEN, "유효하지 않은 token 입니다.", 401)
            row = sandbox.db.query_one("SELECT expires_at FROM mirae_tokens WHERE token_hash = ?",
                                       (_token_hash(header[7:]),))
            if row is None:
                raise Refusal(wire.BAD_TOKEN, "유효하지 않은 token 입니다.", 401)
            if row["expires_at"] <= time.time():
                raise Refusal(wire.TOKEN_EXPIRED, "기간이 만료된 token 입니다.", 401)
            if request.headers.get("tr-id") != tr_id:
                raise Refusal(wire.WRONG_TR_ID, f"tr_id 오류: 이 거래는 {tr_id}")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _written(cano: Any, product: Any) -> str:
    cano, product = str(cano or ""), str(product or "")
    if not (len(cano) == 8 and cano.isdigit() and len(product) == 2 and product.isdigit()):
        raise Refusal(wire.MALFORMED, "CANO(8자리), ACNT_PRDT_CD(2자리) 오류")
    return BANK.written(cano + product)


def _own_account(cano: Any, product: Any) -> ledger.AccountRow:
    found = ledger.get_account(state.current().db.connection(), _written(cano, product))
    if found is None or not found.open:
        raise Refusal(wire.SOURCE_UNAVAILABLE, "계좌를 찾을 수 없거나 사용할 수 없습니다.")
    return found


def _parts(number: str) -> dict[str, str]:
    cano, product = wire.split_account(number)
    return {"CANO": cano, "ACNT_PRDT_CD": product}


@blueprint.get(f"{wire.API}/accounts")
@operation(wire.TR_ACCOUNTS)
@faults.faulted("accounts")
def accounts() -> Any:
    customer = request.args.get("CUST_ID", "")
    if not customer:
        raise Refusal(wire.MALFORMED, "CUST_ID 누락")
    rows = [{**_parts(a.number), "PRDT_NAME": a.product, "ACNT_HLDR_NM": a.holder_name}
            for a in ledger.accounts_of(state.current().db, customer)]
    return _answer(rows, {"TOT_CNT": str(len(rows))})


@blueprint.get(f"{wire.API}/balance")
@operation(wire.TR_BALANCE)
@faults.faulted("balance")
def balance() -> Any:
    account = _own_account(request.args.get("CANO"), request.args.get("ACNT_PRDT_CD"))
    return _answer({**_parts(account.number), "PRDT_NAME": account.product},
                   [{"DNCA_TOT_AMT": str(account.balance), "NXDY_EXCC_AMT": str(account.balance)}])


@blueprint.get(f"{wire.API}/history")
@operation(wire.TR_HISTORY)
@faults.faulted("transactions")
def history() -> Any:
    args = request.args
    account = _own_account(args.get("CANO"), args.get("ACNT_PRDT_CD"))
    next_key = args.get("CTX_AREA_NK100", "")
    if next_key and (not next_key.isdigit() or request.headers.get("tr-cont") != "N"):
        raise Refusal(wire.MALFORMED, "연속조회는 tr-cont: N 과 CTX_AREA_NK100 으로")
    page, more = ledger.postings_page(state.current().db, account.number,
                                      before_id=int(next_key) if next_key else None, size=wire.PAGE_SIZE)
    rows = [{
        "TRAD_DT": p.at.strftime("%Y%m%d"), "TRAD_TMD": p.at.strftime("%H%M%S"),
        "INOUT_DVSN_CD": "01" if p.amount > 0 else "02", "TRAD_AMT": str(abs(p.amount)),
        "AFTR_BAL": str(p.balance_after), "RMRK": p.counterparty,
    } for p in page]
    return _answer(rows, {"DNCA_TOT_AMT": str(account.balance)}, tr_cont="M" if more else "D",
                   CTX_AREA_FK100=digits_only(account.number),
                   CTX_AREA_NK100=str(page[-1].posting_id) if more else "")


def _order(body: dict[str, Any]) -> engine.Order:
    key = str(body.get("CLNT_ORD_NO", ""))
    if not _ORDER_NO.match(key):
        raise Refusal(wire.MALFORMED, "CLNT_ORD_NO 오류 (영문 대문자, 숫자 20자리)")
    amount = str(body.get("TRFR_AMT", ""))
    if not amount.isdigit() or len(amount) > 12 or int(amount) <= 0:
        raise Refusal(wire.MALFORMED, "TRFR_AMT 오류: 양의 정수 문자열")
    payee_bank = bank_by_code(str(body.get("RCV_BANK_CD", "")))
    if payee_bank is None:
        raise Refusal(wire.MALFORMED, "RCV_BANK_CD 오류")
    source = _written(body.get("CANO"), body.get("ACNT_PRDT_CD"))
    # the order's validity is per attempt, not part of what the order number names
    canonical = json.dumps({k: v for k, v in body.items() if k != "ORD_VALD_DTTM"}, sort_keys=True, ensure_ascii=False)
    try:
        not_after = engine.expiry(str(body.get("ORD_VALD_DTTM") or ""))
    except ValueError:
        raise Refusal(wire.MALFORMED, "ORD_VALD_DTTM 오류: yyyyMMddHHmmss") from None
    return engine.Order(
        key=key, body_hash=hashlib.sha256(canonical.encode()).hexdigest(), from_account=source,
        to_bank=payee_bank.id, to_account=payee_bank.written(str(body.get("RCV_ACNO", ""))),
        to_name=str(body.get("RCV_NM", "")), amount=int(amount), memo=str(body.get("MEMO", "")), not_after=not_after,
    )


_STATES = {"completed": wire.DONE, "processing": wire.IN_PROGRESS, "failed": wire.REFUSED}


def _order_output(record: engine.Record, state_name: str) -> dict[str, Any]:
    output = {
        "CLNT_ORD_NO": record.key, "ODNO": record.bank_ref, "TRFR_STAT_CD": _STATES[state_name],
        "TRFR_AMT": str(record.amount), "RCV_BANK_CD": banks.installed()[record.to_bank].code,
        "RCV_ACNO": digits_only(record.to_account), "RCV_NM": record.payee_name,
        "ORD_DT": record.received_at.strftime("%Y%m%d"), "ORD_TMD": record.received_at.strftime("%H%M%S"),
    }
    if state_name == "failed":
        output["RJCT_CD"] = REASON_CODES[record.reason or engine.SOURCE_UNAVAILABLE][0]
    return output


@blueprint.post(f"{wire.API}/transfer")
@operation(wire.TR_TRANSFER)
@faults.faulted("transfer")
def transfer() -> Any:
    sandbox = state.current()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refusal(wire.MALFORMED, "요청 본문이 JSON 객체가 아닙니다.")
    order = _order(body)
    record, created = engine.submit(sandbox, order, processing_delay_ms=faults.processing_delay_ms())
    if not created and record.body_hash != order.body_hash:
        raise Refusal(wire.KEY_REUSED, "같은 주문번호로 다른 주문을 낼 수 없습니다.")
    # a replay is answered as the first request was
    first = record.first_state
    output = _order_output(record, first)
    if first == "failed":
        code, message = REASON_CODES[record.reason or engine.SOURCE_UNAVAILABLE]
        raise Refusal(code, message, output1=output)
    if first == "processing":
        return _answer(output, msg_cd=wire.PROCESSING, msg1="이체 처리중입니다.")
    return _answer(output)


@blueprint.get(f"{wire.API}/transfer")
@operation(wire.TR_TRANSFER_STATUS)
@faults.faulted("status")
def transfer_status() -> Any:
    sandbox = state.current()
    key = request.args.get("CLNT_ORD_NO", "")
    engine.settle_due(sandbox)
    record = engine.find(sandbox, key)
    if record is None and engine.in_flight(key):
        return _answer({"CLNT_ORD_NO": key, "TRFR_STAT_CD": wire.IN_PROGRESS})
    if record is None:
        raise Refusal(wire.NOT_FOUND, "해당 주문번호가 없습니다.")
    return _answer(_order_output(record, record.state))


@blueprint.get(f"{wire.API}/holder")
@operation(wire.TR_HOLDER)
@faults.faulted("holder")
def holder() -> Any:
    """The recipient check (수취조회): who holds this CMA."""
    found = ledger.get_account(state.current().db.connection(),
                               _written(request.args.get("CANO"), request.args.get("ACNT_PRDT_CD")))
    if found is None or not found.open:
        raise Refusal(wire.PAYEE_UNAVAILABLE, "수취계좌가 없습니다.")
    return _answer({**_parts(found.number), "ACNT_HLDR_NM": found.holder_name})
