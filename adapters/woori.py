"""Woori Bank adapter: Woori open API dialect over HTTP.

Requests are signed with the app secret (see `signature`); a transfer carries an
`Idempotency-Key` that the bank keeps 24 h, replaying its first answer to a repeat, so
the same request may be sent again safely with the same key.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests

from adapters import registry
from adapters.base import (
    Account,
    AccountUnavailable,
    AuthRefused,
    Balance,
    BankInfo,
    DefinitelyFailed,
    InsufficientFunds,
    InvalidRequest,
    OutcomeUnknown,
    PartnerAdapter,
    RetryLater,
    Sandbox,
    Transaction,
    TransactionPage,
    TransferRequest,
    TransferResult,
    digits_only,
    group_digits,
    mask_account,
)
from adapters.http import PartnerHttp, body_json, retry_after_seconds

log = logging.getLogger(__name__)
KST = dt.timezone(dt.timedelta(hours=9), "KST")
#: `우리` alone is the everyday word for "our/my" (`우리 엄마`): Woori is heard only with
#: `은행`/`뱅크`/`뱅킹` after it, or in Latin letters
BANK = BankInfo(
    code="woori", name_ko="우리은행", name_en="Woori Bank",
    spoken=("우리 은행", "우리 뱅크", "우리 뱅킹", "우리 bank", "woori bank", "woori", "우리은", "우리 원 뱅킹"),
    account_groups=(4, 3, 6), sandbox=Sandbox("adapters.sandbox", port_offset=2), clearing_code="020",
    credentials=("app_key", "app_secret"),
)
MAX_INQ_CNT = 100
API = "/oai/wb/v1"


def signature(secret: str, method: str, target: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over method, path with query, timestamp and the body's SHA-256."""
    message = "\n".join([method, target, timestamp, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def woori_amount(amount: int) -> str:
    return f"{amount}.000"


def parse_woori_amount(text: Any) -> int:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise OutcomeUnknown(f"Woori: unreadable amount {text!r}", code="unreadable") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise OutcomeUnknown(f"Woori: amount {text!r} is not whole KRW", code="unreadable")
    return int(value)


def woori_dttm(at: dt.datetime) -> str:
    return at.astimezone(KST).strftime("%Y%m%d%H%M%S")


def parse_woori_time(date: str, hhmmss: str) -> dt.datetime:
    return dt.datetime.strptime(date + hhmmss, "%Y%m%d%H%M%S").replace(tzinfo=KST)


def refusal(res_code: str) -> DefinitelyFailed:
    if res_code == "E1102":
        return InsufficientFunds("Woori: insufficient balance (E1102)", code=res_code)
    if res_code == "E1101":
        return AccountUnavailable("Woori: account unavailable (E1101)", code=res_code)
    if res_code == "E1103":
        return AccountUnavailable("Woori: payee account unavailable (E1103)", code=res_code)
    if res_code == "E0422":
        return InvalidRequest("Woori: Idempotency-Key reused with a different request (E0422)", code=res_code)
    return DefinitelyFailed(f"Woori: refused ({res_code or 'no resCode'})", code=res_code or None)


def check(status: int, headers: Any, envelope: Any) -> dict[str, Any]:
    """The dataBody of a 2xx answer; otherwise the port's error for it. A 202 is the
    bank's "processing": accepted, outcome not yet known."""
    header = envelope.get("dataHeader", {}) if isinstance(envelope, dict) else {}
    code = str(header.get("resCode", "")) if isinstance(header, dict) else ""
    if status == 429:
        raise RetryLater("Woori: throttled", retry_after=retry_after_seconds(headers.get("Retry-After")), code=code)
    if status >= 500:
        raise OutcomeUnknown(f"Woori: HTTP {status}", code=code or str(status))
    if status == 202:
        raise OutcomeUnknown("Woori: accepted, still processing", code="processing")
    if status in (401, 403):
        raise AuthRefused(f"Woori: authentication refused ({code})", code=code or str(status))
    if status == 400:
        raise InvalidRequest(f"Woori: malformed request ({code})", code=code or "400")
    if status in (404, 409, 422):
        raise refusal(code)
    if status not in (200, 201) or not isinstance(envelope, dict) or not isinstance(envelope.get("dataBody"), dict):
        raise OutcomeUnknown(f"Woori: unexpected answer (HTTP {status})", code=str(status))
    return envelope["dataBody"]


def state_of(body: dict[str, Any]) -> tuple[str, str | None]:
    status = str(body.get("TRN_STS", "")).upper()
    if status == "COMPLETED":
        return "completed", None
    if status == "FAILED":
        return "failed", str(body.get("FAIL_CD") or "") or None
    return "processing", None  # PROCESSING, or a state this adapter does not know yet


def transaction_of(row: dict[str, Any]) -> Transaction:
    return Transaction(
        bank=BANK.code, at=parse_woori_time(row["TRN_DT"], row["TRN_TM"]),
        amount=parse_woori_amount(row.get("RCV_AM", "0")) - parse_woori_amount(row.get("PAY_AM", "0")),
        counterparty=str(row.get("TRN_TXT", "")), balance_after=parse_woori_amount(row["TRN_AF_BAL"]),
    )


class WooriAdapter(PartnerAdapter):
    bank = BANK
    name = BANK.code

    def __init__(self, *, base_url: str, timeout_s: float, credentials: dict[str, str]) -> None:
        self._http = PartnerHttp(base_url, timeout_s, bank=self.name)
        self.endpoint = self._http.base_url
        self._app_key = credentials["app_key"]
        self._app_secret = credentials["app_secret"]
        self._bank_codes = registry.clearing_codes()  # KFTC standard codes, which Woori uses too

    def __repr__(self) -> str:  # never the key or the secret
        return f"WooriAdapter(base_url={self._http.base_url!r})"

    def _send(self, method: str, path: str, body: dict[str, Any] | None, *, read: bool,
              headers: dict[str, str] | None = None) -> requests.Response:
        raw = b"" if body is None else json.dumps(
            {"dataHeader": {}, "dataBody": body}, ensure_ascii=False, separators=(",", ":")
        ).encode()
        timestamp = str(int(time.time()))
        signed = {
            "appKey": self._app_key, "X-Woori-Timestamp": timestamp,
            "X-Woori-Signature": signature(self._app_secret, method, path, timestamp, raw),
            **({"Content-Type": "application/json; charset=UTF-8"} if body is not None else {}),
            **(headers or {}),
        }
        return self._http.send(method, path, read=read, data=raw or None, headers=signed)

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """An inquiry: a POST in Woori's API, but one that changes nothing, so it may be retried."""
        resp = self._send("POST", API + path, body, read=True)
        return check(resp.status_code, resp.headers, body_json(resp))

    def new_idempotency_key(self) -> str:
        return str(uuid.uuid4())

    def accounts(self, holder: str) -> list[Account]:
        body = self._call("/account/getAccList", {"CUST_ID": holder})
        return [Account(bank=self.name, number=group_digits(digits_only(str(r["ACNO"])), BANK.account_groups),
                        name=str(r.get("ACT_NM", "")), holder=str(r.get("ACCT_HLDR_NM", "")))
                for r in body.get("REPT_FA", [])]

    def balance(self, account: str) -> Balance:
        body = self._call("/account/getAccBasicInfo", {"ACNO": digits_only(account)})
        return Balance(bank=self.name, number=group_digits(digits_only(account), BANK.account_groups),
                       balance=parse_woori_amount(body["PBOK_BAL"]))

    def transactions(self, account: str, *, limit: int = 20, cursor: str | None = None) -> TransactionPage:
        if limit < 1:
            raise InvalidRequest("limit must be at least 1", code="limit")
        body = self._call("/account/getAccTransList", {
            "ACNO": digits_only(account), "INQ_CNT": str(min(limit, MAX_INQ_CNT)), "NEXT_KEY": cursor or "",
        })
        rows = [transaction_of(r) for r in body.get("REPT_FA", [])]
        return TransactionPage(rows, str(body.get("NEXT_KEY") or "") or None)

    def transfer(self, request: TransferRequest) -> TransferResult:
        if request.amount <= 0 or request.to_bank not in self._bank_codes:
            raise InvalidRequest("amount must be positive and to_bank one of " + ", ".join(self._bank_codes),
                                 code="request")
        body = {
            "WDR_ACNO": digits_only(request.from_account), "TRN_AM": woori_amount(request.amount),
            "RCV_BKCD": self._bank_codes[request.to_bank], "RCV_ACNO": digits_only(request.to_account),
            "RCV_ACCT_NM": request.to_name, "WDR_PBOK_PRNG_TXT": (request.memo or request.to_name)[:20],
        }
        log.info("woori transfer %s: %s KRW to %s", request.idempotency_key, request.amount, mask_account(request.to_account))
        headers = {"Idempotency-Key": request.idempotency_key}
        if request.not_after is not None:
            headers["Expire-Dttm"] = woori_dttm(request.not_after)
        resp = self._send("POST", API + "/trans/transfers", body, read=False, headers=headers)
        result = check(resp.status_code, resp.headers, body_json(resp))
        state, reason = state_of(result)
        if state == "failed":
            raise refusal(reason or "")
        if state != "completed":
            raise OutcomeUnknown(f"Woori: transfer {request.idempotency_key} is {state}", code=state)
        return TransferResult(request.idempotency_key, "completed", bank_reference=result.get("TRN_NO"))

    def transfer_status(self, idempotency_key: str) -> TransferResult:
        resp = self._send("GET", f"{API}/trans/transfers/{quote(idempotency_key, safe='')}", None, read=True)
        envelope = body_json(resp)
        if resp.status_code == 404 and _res_code(envelope) == "E0404":
            return TransferResult(idempotency_key, "not_found")
        body = check(resp.status_code, resp.headers, envelope)
        state, reason = state_of(body)
        return TransferResult(idempotency_key, state, bank_reference=body.get("TRN_NO"), reason=reason)  # type: ignore[arg-type]

    def holder_name(self, account: str) -> str:
        body = self._call("/account/getRcvAcctNm", {"RCV_BKCD": BANK.clearing_code, "RCV_ACNO": digits_only(account)})
        name = body.get("RCV_ACCT_NM")
        if not isinstance(name, str) or not name:
            raise OutcomeUnknown("Woori: no RCV_ACCT_NM in the answer", code="unreadable")
        return name

    def close(self) -> None:
        self._http.close()


def _res_code(envelope: Any) -> str:
    header = envelope.get("dataHeader") if isinstance(envelope, dict) else None
    return str(header.get("resCode", "")) if isinstance(header, dict) else ""
