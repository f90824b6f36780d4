"""K-Bank, in the dialect of KFTC open banking v2.0.

OAuth2 client credentials; every answer HTTP 200 with a flat body whose `rsp_code`
(`A0000` ok) and `bank_rsp_code` (`000` ok) carry the outcome; integer-string amounts;
`YYYYMMDDhhmmss` times. Two answers are not 200, as with KFTC's gateway in front of the
application: an internal failure (HTTP 500, `A0001`) and throttling (HTTP 429 with
`Retry-After`, `A0013`).

Codes used (KFTC-like; the sandbox's own table):
  rsp_code  A0000 ok | A0001 gateway error | A0002 refused by the bank, see bank_rsp_code |
            A0004 malformed request | A0007 processing, result not yet known |
            A0013 rate limit | O0001 authentication failed | O0002 token expired |
            O0003 scope not granted
  Recipient check (수취조회): POST /v2.0/inquiry/receive, answering `account_holder_name`.
  bank_rsp_code 000 ok | 412 no such account | 413 no such payee account |
            415 account closed | 551 insufficient funds | 812 payee bank unavailable |
            822 duplicate bank_tran_id | 800 processing | 529 no such transaction
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, request

from adapters import kbank
from adapters.base import digits_only
from adapters.sandbox import banks, engine, faults, ledger, state
from adapters.sandbox.banks import Bank, Customer, bank_by_code

SCHEMA = """
CREATE TABLE IF NOT EXISTS kftc_tokens (token_hash TEXT PRIMARY KEY, scope TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS kftc_fintech (account TEXT PRIMARY KEY, fintech_use_num TEXT NOT NULL UNIQUE);
"""
TOKEN_TTL_S = 3600
PAGE_SIZE = 10  # KFTC pages 25 records; smaller here so paging shows in small demos
SCOPES = frozenset({"inquiry", "transfer"})
_BANK_TRAN_ID = re.compile(r"^[A-Z]\d{9}U[0-9A-Z]{9}$")
_DTIME = "%Y%m%d%H%M%S"
REASON_CODES = {
    engine.SOURCE_UNAVAILABLE: ("415", "해약 또는 거래중지 계좌"),
    engine.PAYEE_UNAVAILABLE: ("413", "수취계좌 없음"),
    engine.INSUFFICIENT_FUNDS: ("551", "잔액 부족"),
    engine.PAYEE_BANK_UNAVAILABLE: ("812", "수취은행 장애"),
    engine.EXPIRED: ("553", "요청 유효시간 경과"),
}

BANK = Bank(
    info=kbank.BANK,
    customers=(
        Customer("100-123-456789", "demo", "김하나", "듀얼K 입출금통장", 1_250_000),
        Customer("100-555-000111", "dad", "김영수", "듀얼K 입출금통장", 2_000_000),
    ),
)

blueprint = Blueprint("kbank", __name__)


class Refusal(Exception):
    def __init__(self, rsp_code: str, message: str, bank_rsp_code: str = "", **fields: Any) -> None:
        super().__init__(message)
        self.rsp_code, self.bank_rsp_code, self.fields = rsp_code, bank_rsp_code, fields


def _envelope(rsp_code: str = "A0000", rsp_message: str = "", **fields: Any) -> dict[str, Any]:
    return {
        "api_tran_id": uuid.uuid4().hex[:20].upper(),
        "api_tran_dtm": ledger.now_kst().strftime("%Y%m%d%H%M%S%f")[:17],
        "rsp_code": rsp_code, "rsp_message": rsp_message, **fields,
    }


@blueprint.errorhandler(Refusal)
def _refused(exc: Refusal) -> Response:
    bank = {"bank_rsp_code": exc.bank_rsp_code, "bank_rsp_message": str(exc)} if exc.bank_rsp_code else {}
    return jsonify(_envelope(exc.rsp_code, str(exc), **bank, **exc.fields))


class _Errors:
    def server_error(self) -> Response:
        return make_response(jsonify(_envelope("A0001", "처리 중 오류 발생")), 500)

    def transfer_key(self) -> str | None:
        body = request.get_json(silent=True)
        return str(body.get("bank_tran_id", "")) or None if isinstance(body, dict) else None

    def throttled(self, retry_after_s: int) -> Response:
        resp = make_response(jsonify(_envelope("A0013", "API 호출 한도 초과")), 429)
        resp.headers["Retry-After"] = str(retry_after_s)
        return resp


ERRORS = _Errors()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authorized(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                raise Refusal("O0001", "인증 실패: access token 없음")
            row = state.current().db.query_one(
                "SELECT scope, expires_at FROM kftc_tokens WHERE token_hash = ?", (_token_hash(header[7:]),)
            )
            if row is None:
                raise Refusal("O0001", "인증 실패: 유효하지 않은 access token")
            if row["expires_at"] <= time.time():
                raise Refusal("O0002", "access token 만료")
            if scope not in row["scope"].split():
                raise Refusal("O0003", f"scope 불일치: {scope} 필요")
            return view(*args, **kwargs)

        return wrapper

    return decorate


@blueprint.post("/oauth/2.0/token")
@faults.faulted("token")
def token() -> Any:
    creds = state.current().credentials
    form = request.form
    if form.get("grant_type") != "client_credentials":
        raise Refusal("O0001", "지원하지 않는 grant_type")
    ok_id = hmac.compare_digest(form.get("client_id", ""), creds["client_id"])
    ok_secret = hmac.compare_digest(form.get("client_secret", ""), creds["client_secret"])
    if not (ok_id and ok_secret):
        raise Refusal("O0001", "인증요청 거부: client 인증 실패")
    scope = form.get("scope", "").split()
    if not scope or not set(scope) <= SCOPES:
        raise Refusal("O0003", "허용되지 않은 scope")
    access_token = secrets.token_urlsafe(32)
    with state.current().db.transaction() as conn:
        conn.execute("DELETE FROM kftc_tokens WHERE expires_at <= ?", (time.time(),))
        conn.execute("INSERT INTO kftc_tokens VALUES (?, ?, ?)",
                     (_token_hash(access_token), " ".join(scope), time.time() + TOKEN_TTL_S))
    return jsonify({"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_TTL_S,
                    "scope": " ".join(scope), "client_use_code": creds["org_code"]})


@blueprint.delete("/_sandbox/tokens")
def expire_tokens() -> Any:
    """Operator extra: expire every token, to exercise the clients' refresh."""
    with state.current().db.transaction() as conn:
        conn.execute("UPDATE kftc_tokens SET expires_at = 0")
    return jsonify({"expired": True})


def _check_common(fields: dict[str, Any], *, need_tran_id: bool = True) -> None:
    if need_tran_id:
        tran_id = str(fields.get("bank_tran_id", ""))
        if not _BANK_TRAN_ID.match(tran_id) or tran_id[:10] != state.current().credentials["org_code"]:
            raise Refusal("A0004", "bank_tran_id 형식 오류 (이용기관코드 + U + 9자리)")
    if "tran_dtime" in fields or need_tran_id:
        try:
            dt.datetime.strptime(str(fields.get("tran_dtime", "")), _DTIME)
        except ValueError:
            raise Refusal("A0004", "tran_dtime 형식 오류 (YYYYMMDDhhmmss)") from None


def _fintech_for(account: str) -> str:
    db = state.current().db
    row = db.query_one("SELECT fintech_use_num FROM kftc_fintech WHERE account = ?", (account,))
    if row:
        return row[0]
    with db.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO kftc_fintech VALUES (?, ?)",
                     (account, "1" + "".join(secrets.choice("0123456789") for _ in range(23))))
        return conn.execute("SELECT fintech_use_num FROM kftc_fintech WHERE account = ?", (account,)).fetchone()[0]


def _account_by_fintech(fintech: str) -> ledger.AccountRow:
    db = state.current().db
    row = db.query_one("SELECT account FROM kftc_fintech WHERE fintech_use_num = ?", (fintech,))
    found = ledger.get_account(db.connection(), row[0]) if row else None
    if found is None:
        raise Refusal("A0002", "해당계좌 없음", "412")
    if not found.open:
        raise Refusal("A0002", "해약 계좌", "415")
    return found


def _masked(account: str) -> str:
    """K-Bank's own masked form (`100123456789` -> `10012345****`), which its API returns; not
    couchbank's (`adapters.base.mask_account`), which shows the last four instead."""
    digits = digits_only(account)
    return digits[:-4] + "****" if len(digits) > 4 else "****"


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refusal("A0004", "요청 전문 형식 오류: JSON 객체가 아님")
    return body


@blueprint.get("/v2.0/account/list")
@authorized("inquiry")
@faults.faulted("accounts")
def account_list() -> Any:
    sandbox = state.current()
    user = request.args.get("user_seq_no", "")
    if not user:
        raise Refusal("A0004", "user_seq_no 누락")
    accounts = ledger.accounts_of(sandbox.db, user)
    items = [{
        "fintech_use_num": _fintech_for(a.number), "account_alias": a.product, "bank_code_std": sandbox.bank.code,
        "bank_name": sandbox.bank.name, "account_num": digits_only(a.number), "account_num_masked": _masked(a.number),
        "account_holder_name": a.holder_name, "account_type": "1", "inquiry_agree_yn": "Y",
        "transfer_agree_yn": "Y", "account_state": "01",
    } for a in accounts]
    name = accounts[0].holder_name if accounts else ""
    return jsonify(_envelope(user_name=name, res_cnt=str(len(items)), res_list=items))


@blueprint.post("/v2.0/user/register")
@authorized("inquiry")
@faults.faulted("accounts")
def register_account() -> Any:
    """KFTC's 계좌등록: gives the fintech number for an account (idempotent)."""
    sandbox = state.current()
    body = _json_body()
    _check_common(body)
    if body.get("bank_code_std") != sandbox.bank.code:
        raise Refusal("A0004", "bank_code_std 오류")
    account = ledger.get_account(sandbox.db.connection(), sandbox.bank.written(str(body.get("register_account_num", ""))))
    if account is None:
        raise Refusal("A0002", "해당계좌 없음", "412")
    if not account.open:
        raise Refusal("A0002", "해약 계좌", "415")
    return jsonify(_envelope(bank_rsp_code="000", bank_rsp_message="", fintech_use_num=_fintech_for(account.number),
                             user_seq_no=account.holder, account_holder_name=account.holder_name,
                             account_num_masked=_masked(account.number)))


@blueprint.post("/v2.0/inquiry/receive")
@authorized("inquiry")
@faults.faulted("holder")
def receive_inquiry() -> Any:
    """KFTC's 수취조회: who holds a payee's account here, before money is sent to it."""
    sandbox = state.current()
    body = _json_body()
    _check_common(body)
    if body.get("bank_code_std") != sandbox.bank.code:
        raise Refusal("A0004", "bank_code_std 오류")
    account = ledger.get_account(sandbox.db.connection(), sandbox.bank.written(str(body.get("account_num", ""))))
    if account is None or not account.open:
        raise Refusal("A0002", "수취계좌 없음", "413")
    return jsonify(_envelope(
        bank_tran_id=body["bank_tran_id"], bank_code_std=sandbox.bank.code, bank_rsp_code="000",
        bank_rsp_message="", bank_name=sandbox.bank.name, account_num_masked=_masked(account.number),
        account_holder_name=account.holder_name,
    ))


@blueprint.get("/v2.0/account/balance/fin_num")
@authorized("inquiry")
@faults.faulted("balance")
def balance() -> Any:
    sandbox = state.current()
    _check_common(request.args)
    account = _account_by_fintech(request.args.get("fintech_use_num", ""))
    return jsonify(_envelope(
        bank_tran_id=request.args["bank_tran_id"], bank_tran_date=ledger.now_kst().strftime("%Y%m%d"),
        bank_code_tran=sandbox.bank.code, bank_rsp_code="000", bank_rsp_message="", bank_name=sandbox.bank.name,
        fintech_use_num=request.args["fintech_use_num"], balance_amt=str(account.balance),
        available_amt=str(account.balance), account_type="1", product_name=account.product,
    ))


@blueprint.get("/v2.0/account/transaction_list/fin_num")
@authorized("inquiry")
@faults.faulted("transactions")
def transaction_list() -> Any:
    sandbox = state.current()
    args = request.args
    _check_common(args)
    account = _account_by_fintech(args.get("fintech_use_num", ""))
    trace = args.get("befor_inquiry_trace_info", "")
    if trace and not trace.isdigit():
        raise Refusal("A0004", "befor_inquiry_trace_info 오류")
    page, more = ledger.postings_page(sandbox.db, account.number, before_id=int(trace) if trace else None,
                                      size=PAGE_SIZE)
    rows = [{
        "tran_date": p.at.strftime("%Y%m%d"), "tran_time": p.at.strftime("%H%M%S"),
        "inout_type": "입금" if p.amount > 0 else "출금", "tran_type": "이체", "print_content": p.counterparty,
        "tran_amt": str(abs(p.amount)), "after_balance_amt": str(p.balance_after), "branch_name": "",
    } for p in page]
    return jsonify(_envelope(
        bank_tran_id=args["bank_tran_id"], bank_code_tran=sandbox.bank.code, bank_rsp_code="000",
        bank_rsp_message="", fintech_use_num=args["fintech_use_num"], balance_amt=str(account.balance),
        page_record_cnt=str(len(rows)), next_page_yn="Y" if more else "N",
        befor_inquiry_trace_info=str(page[-1].posting_id) if more else "", res_list=rows,
    ))


def _transfer_fields(record: engine.Record) -> dict[str, Any]:
    sandbox = state.current()
    return {
        "bank_tran_id": record.key, "bank_tran_date": record.received_at.strftime("%Y%m%d"),
        "bank_code_tran": sandbox.bank.code, "tran_amt": str(record.amount),
        "dps_bank_code_std": banks.installed()[record.to_bank].code,
        "dps_account_num_masked": _masked(record.to_account),
        "dps_account_holder_name": record.payee_name, "wd_print_content": record.memo,
    }


def _order(body: dict[str, Any]) -> engine.Order:
    _check_common(body)
    amount = str(body.get("tran_amt", ""))
    if not amount.isdigit() or len(amount) > 12 or int(amount) <= 0:
        raise Refusal("A0004", "tran_amt 오류: 양의 정수 문자열")
    payee_bank = bank_by_code(str(body.get("recv_client_bank_code", "")))
    if payee_bank is None:
        raise Refusal("A0004", "recv_client_bank_code 오류")
    source = _account_by_fintech(str(body.get("fintech_use_num", "")))
    # the request's own times are per attempt, not part of what the key names
    canonical = json.dumps({k: body.get(k) for k in sorted(body) if k not in ("tran_dtime", "req_expire_dtime")},
                           sort_keys=True)
    try:
        not_after = engine.expiry(str(body.get("req_expire_dtime") or ""))
    except ValueError:
        raise Refusal("A0004", "req_expire_dtime 오류: yyyyMMddHHmmss") from None
    return engine.Order(
        key=body["bank_tran_id"], body_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        from_account=source.number, to_bank=payee_bank.id,
        to_account=payee_bank.written(str(body.get("recv_client_account_num", ""))),
        to_name=str(body.get("recv_client_name", "")), amount=int(amount), memo=str(body.get("wd_print_content", "")),
        not_after=not_after,
    )


@blueprint.post("/v2.0/transfer/withdraw/fin_num")
@authorized("transfer")
@faults.faulted("transfer")
def withdraw() -> Any:
    sandbox = state.current()
    body = _json_body()
    if engine.find(sandbox, str(body.get("bank_tran_id", ""))):
        raise Refusal("A0002", "거래고유번호 중복", "822")
    record, created = engine.submit(sandbox, _order(body), processing_delay_ms=faults.processing_delay_ms())
    if not created:
        raise Refusal("A0002", "거래고유번호 중복", "822")
    fields = _transfer_fields(record)
    if record.state == "failed":
        code, message = REASON_CODES[record.reason]
        raise Refusal("A0002", message, code, **fields)
    if record.state == "processing":
        return jsonify(_envelope("A0007", "처리중: 결과 미확인", bank_rsp_code="800", bank_rsp_message="처리중", **fields))
    return jsonify(_envelope(bank_rsp_code="000", bank_rsp_message="", **fields))


@blueprint.post("/v2.0/transfer/result")
@authorized("transfer")
@faults.faulted("status")
def transfer_result() -> Any:
    sandbox = state.current()
    body = _json_body()
    _check_common(body, need_tran_id=False)
    items = body.get("req_list")
    if not isinstance(items, list) or not items or len(items) > 25:
        raise Refusal("A0004", "req_list 오류")
    engine.settle_due(sandbox)
    results = []
    for item in items:
        key = str(item.get("org_bank_tran_id", "")) if isinstance(item, dict) else ""
        record = engine.find(sandbox, key)
        result = {"tran_no": item.get("tran_no", "1") if isinstance(item, dict) else "1", "bank_tran_id": key}
        if record is None and engine.in_flight(key):
            result |= {"bank_rsp_code": "800", "bank_rsp_message": "처리중"}
        elif record is None:
            result |= {"bank_rsp_code": "529", "bank_rsp_message": "원거래 없음"}
        elif record.state == "completed":
            result |= {"bank_rsp_code": "000", "bank_rsp_message": ""} | _transfer_fields(record)
        elif record.state == "processing":
            result |= {"bank_rsp_code": "800", "bank_rsp_message": "처리중"} | _transfer_fields(record)
        else:
            code, message = REASON_CODES[record.reason]
            result |= {"bank_rsp_code": code, "bank_rsp_message": message} | _transfer_fields(record)
        results.append(result)
    return jsonify(_envelope(res_cnt=str(len(results)), res_list=results))
