"""couchbank's adapter for a Mirae Asset securities CMA (the dialect: `couchbank_mirae.wire`).

App key and secret buy a bearer token (renewed before it runs out, and once more when the
gateway calls it expired: that refusal comes before any work). A transfer is keyed by the
client's order number `CLNT_ORD_NO`; the same number with the same body replays the first
answer, so sending it again is safe, and `ORD_VALD_DTTM` is the instant after which the
order must not run.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import string
import threading
import time
from typing import Any

import requests

from adapters import paging, registry
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
    PartnerError,
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
from adapters.http import PartnerHttp, body_json
from couchbank_mirae import wire

log = logging.getLogger(__name__)
BANK = BankInfo(
    code="mirae", name_ko="미래에셋증권", name_en="Mirae Asset",
    # `미래` alone is the everyday word for "future": the house is heard only with `에셋`
    spoken=("미래 에셋 증권", "미래 에셋 cma", "미래 에셋", "mirae asset", "mirae"),
    account_groups=(4, 4, 2), sandbox=Sandbox("adapters.sandbox", port_offset=3), clearing_code="238",
    credentials=("app_key", "app_secret"),
)
TOKEN_MARGIN_S = 60
_ORDER_CHARS = string.digits + string.ascii_uppercase


class TokenExpired(PartnerError):
    """EGW00123: fetch a new token and send the same request again (nothing was done)."""


def refusal(msg_cd: str) -> PartnerError:
    """The port's error for a refusal (`rt_cd` 1); an unknown code may hide a posted transfer."""
    if msg_cd == wire.INSUFFICIENT_FUNDS:
        return InsufficientFunds("Mirae: insufficient funds (MCA01102)", code=msg_cd)
    if msg_cd in (wire.SOURCE_UNAVAILABLE, wire.PAYEE_UNAVAILABLE):
        return AccountUnavailable(f"Mirae: account unavailable ({msg_cd})", code=msg_cd)
    if msg_cd in (wire.PAYEE_BANK_UNAVAILABLE, wire.EXPIRED):
        return DefinitelyFailed(f"Mirae: refused ({msg_cd})", code=msg_cd)
    if msg_cd in (wire.KEY_REUSED, wire.MALFORMED, wire.WRONG_TR_ID):
        return InvalidRequest(f"Mirae: request refused ({msg_cd})", code=msg_cd)
    return OutcomeUnknown(f"Mirae: unrecognised answer {msg_cd!r}", code=msg_cd or None)


def _is_throttle(resp: requests.Response) -> bool:
    payload = body_json(resp)
    return isinstance(payload, dict) and payload.get("msg_cd") == wire.THROTTLED


def check(status: int, payload: Any) -> dict[str, Any]:
    """The whole answer when `rt_cd` is 0; otherwise the port's error for it."""
    body = payload if isinstance(payload, dict) else {}
    msg_cd = str(body.get("msg_cd", ""))
    if msg_cd == wire.THROTTLED:
        output = body.get("output1") if isinstance(body.get("output1"), dict) else {}
        wait = str(output.get("RTRY_WAIT_SEC", "1"))
        raise RetryLater("Mirae: throttled (EGW00201)", retry_after=float(wait) if wait.isdigit() else 1.0,
                         code=msg_cd)
    if status >= 500:
        raise OutcomeUnknown(f"Mirae: HTTP {status}", code=msg_cd or str(status))
    if msg_cd == wire.TOKEN_EXPIRED:
        raise TokenExpired("Mirae: access token expired", code=msg_cd)
    if status in (401, 403) or msg_cd.startswith("EGW001"):
        raise AuthRefused(f"Mirae: authentication refused ({msg_cd or status})", code=msg_cd or str(status))
    if status != 200 or not body:
        raise OutcomeUnknown(f"Mirae: unexpected answer (HTTP {status})", code=str(status))
    if body.get("rt_cd") == "0":
        return body
    raise refusal(msg_cd)


def transaction_of(row: dict[str, Any]) -> Transaction:
    amount = int(row["TRAD_AMT"])
    return Transaction(
        bank=BANK.code,
        at=dt.datetime.strptime(row["TRAD_DT"] + row["TRAD_TMD"], "%Y%m%d%H%M%S").replace(tzinfo=wire.KST),
        amount=amount if row.get("INOUT_DVSN_CD") == "01" else -amount,
        counterparty=str(row.get("RMRK", "")), balance_after=int(row["AFTR_BAL"]),
    )




def _account_params(account: str) -> dict[str, str]:
    try:
        cano, product = wire.split_account(account)
    except ValueError:
        raise AccountUnavailable("Mirae: not a Mirae account number", code="account") from None
    return {"CANO": cano, "ACNT_PRDT_CD": product}


class MiraeAdapter(PartnerAdapter):
    bank = BANK
    name = BANK.code

    def __init__(self, *, base_url: str, timeout_s: float, credentials: dict[str, str]) -> None:
        self._http = PartnerHttp(base_url, timeout_s, bank=self.name, throttled=_is_throttle)
        self.endpoint = self._http.base_url
        self._app_key = credentials["app_key"]
        self._app_secret = credentials["app_secret"]
        self._token_lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0
        self._bank_codes = registry.clearing_codes()

    def __repr__(self) -> str:  # never the key, the secret or the token
        return f"MiraeAdapter(base_url={self._http.base_url!r})"

    # --- plumbing ---

    def _access_token(self) -> str:
        with self._token_lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            resp = self._http.send("POST", wire.TOKEN_PATH, read=True, json={
                "grant_type": "client_credentials", "appkey": self._app_key, "appsecret": self._app_secret})
            payload = body_json(resp)
            if resp.status_code == 200 and isinstance(payload, dict) and payload.get("access_token"):
                self._token = str(payload["access_token"])
                self._token_expires = time.monotonic() + float(payload.get("expires_in", 0)) - TOKEN_MARGIN_S
                return self._token
            if resp.status_code >= 500 and not _is_throttle(resp):
                raise OutcomeUnknown(f"Mirae: token endpoint HTTP {resp.status_code}", code=str(resp.status_code))
            if _is_throttle(resp):
                check(resp.status_code, payload)
            raise AuthRefused("Mirae: app key or secret refused", code=str(resp.status_code))

    def _forget_token(self, token: str) -> None:
        with self._token_lock:
            if self._token == token:
                self._token = None

    def _call(self, method: str, path: str, tr_id: str, *, read: bool, tr_cont: str = "",
              **kwargs: Any) -> tuple[dict[str, Any], str]:
        """The answer and its `tr_cont` header."""
        for attempt in (1, 2):
            token = self._access_token()
            headers = {"authorization": f"Bearer {token}", "appkey": self._app_key, "appsecret": self._app_secret,
                       "tr-id": tr_id, "custtype": "P", "tr-cont": tr_cont}
            resp = self._http.send(method, wire.API + path, read=read, headers=headers, **kwargs)
            try:
                return check(resp.status_code, body_json(resp)), resp.headers.get("tr-cont", "")
            except TokenExpired:
                # refused at the gateway before any work: the same request with a new token is safe
                self._forget_token(token)
                if attempt == 2:
                    raise AuthRefused("Mirae: fresh access token refused as expired", code=wire.TOKEN_EXPIRED) from None
        raise AssertionError("unreachable")

    # --- the port ---

    def new_idempotency_key(self) -> str:
        return "MA" + "".join(secrets.choice(_ORDER_CHARS) for _ in range(18))

    def accounts(self, holder: str) -> list[Account]:
        body, _ = self._call("GET", "/accounts", wire.TR_ACCOUNTS, read=True, params={"CUST_ID": holder})
        return [Account(bank=self.name, number=group_digits(f"{r['CANO']}{r['ACNT_PRDT_CD']}", BANK.account_groups),
                        name=str(r.get("PRDT_NAME", "")), holder=str(r.get("ACNT_HLDR_NM", "")))
                for r in body.get("output1") or []]

    def balance(self, account: str) -> Balance:
        body, _ = self._call("GET", "/balance", wire.TR_BALANCE, read=True, params=_account_params(account))
        summary = (body.get("output2") or [{}])[0]
        return Balance(bank=self.name, number=group_digits(digits_only(account), BANK.account_groups),
                       balance=int(summary["DNCA_TOT_AMT"]))

    def transactions(self, account: str, *, limit: int = 20, cursor: str | None = None) -> TransactionPage:
        params = _account_params(account)

        def page(next_key: str) -> paging.BankPage:
            body, tr_cont = self._call("GET", "/history", wire.TR_HISTORY, read=True, tr_cont="N" if next_key else "",
                                       params={**params, "CTX_AREA_FK100": "", "CTX_AREA_NK100": next_key})
            more = tr_cont == "M"
            return body.get("output1") or [], str(body.get("CTX_AREA_NK100", "")) if more else None

        return paging.collect(page, transaction_of, cursor, limit)

    def transfer(self, request: TransferRequest) -> TransferResult:
        if request.amount <= 0 or request.to_bank not in self._bank_codes:
            raise InvalidRequest("amount must be positive and to_bank one of " + ", ".join(self._bank_codes),
                                 code="request")
        body = {
            **_account_params(request.from_account), "CLNT_ORD_NO": request.idempotency_key,
            "RCV_BANK_CD": self._bank_codes[request.to_bank], "RCV_ACNO": digits_only(request.to_account),
            "RCV_NM": request.to_name, "TRFR_AMT": str(request.amount), "MEMO": (request.memo or request.to_name)[:20],
        }
        if request.not_after is not None:
            body["ORD_VALD_DTTM"] = wire.dttm(request.not_after)
        log.info("mirae transfer %s: %s KRW to %s", request.idempotency_key, request.amount,
                 mask_account(request.to_account))
        answer, _ = self._call("POST", "/transfer", wire.TR_TRANSFER, read=False, json=body)
        output = answer.get("output1") or {}
        if answer.get("msg_cd") == wire.PROCESSING or output.get("TRFR_STAT_CD") == wire.IN_PROGRESS:
            raise OutcomeUnknown(f"Mirae: order {request.idempotency_key} is processing", code=wire.PROCESSING)
        return TransferResult(request.idempotency_key, "completed", bank_reference=output.get("ODNO"))

    def transfer_status(self, idempotency_key: str) -> TransferResult:
        try:
            answer, _ = self._call("GET", "/transfer", wire.TR_TRANSFER_STATUS, read=True,
                                   params={"CLNT_ORD_NO": idempotency_key})
        except OutcomeUnknown as exc:
            if exc.code == wire.NOT_FOUND:
                return TransferResult(idempotency_key, "not_found")
            raise
        output = answer.get("output1") or {}
        status = output.get("TRFR_STAT_CD")
        if status == wire.DONE:
            return TransferResult(idempotency_key, "completed", bank_reference=output.get("ODNO"))
        if status == wire.REFUSED:
            return TransferResult(idempotency_key, "failed", bank_reference=output.get("ODNO"),
                                  reason=str(output.get("RJCT_CD") or "") or None)
        return TransferResult(idempotency_key, "processing", bank_reference=output.get("ODNO"))

    def holder_name(self, account: str) -> str:
        answer, _ = self._call("GET", "/holder", wire.TR_HOLDER, read=True, params=_account_params(account))
        name = (answer.get("output1") or {}).get("ACNT_HLDR_NM")
        if not isinstance(name, str) or not name:
            raise OutcomeUnknown("Mirae: no ACNT_HLDR_NM in the answer", code="unreadable")
        return name

    def close(self) -> None:
        self._http.close()
