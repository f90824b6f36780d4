"""K-Bank adapter: KFTC open banking v2.0 dialect over HTTP.

Accounts are addressed by KFTC fintech numbers, learnt from the account list or from
account registration and cached for good (they never change). A transfer is a withdraw
keyed by the client's `bank_tran_id`; a repeat of that id is answered `822`, which this
adapter turns into a status inquiry rather than an error.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import string
import threading
import time
from typing import Any

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
from adapters.http import PartnerHttp, body_json, retry_after_seconds

log = logging.getLogger(__name__)
KST = dt.timezone(dt.timedelta(hours=9), "KST")
BANK = BankInfo(
    code="kbank", name_ko="케이뱅크", name_en="K-Bank",
    spoken=("케이 뱅크", "케이 은행", "케뱅", "k-뱅크", "k-bank", "케이 bank", "k 은행"),
    account_groups=(3, 3, 6), sandbox=Sandbox("adapters.sandbox", port_offset=1), clearing_code="089",
    credentials=("client_id", "client_secret", "org_code"),
)
TOKEN_MARGIN_S = 60  # renew a little before the bank would refuse the token
_ID_CHARS = string.digits + string.ascii_uppercase


class TokenExpired(PartnerError):
    """O0002: fetch a new token and send the same request again (nothing was done)."""


class DuplicateTransfer(PartnerError):
    """822: the bank already holds a transfer with this bank_tran_id."""


def kftc_dtime(at: dt.datetime | None = None) -> str:
    return (at or dt.datetime.now(KST)).astimezone(KST).strftime("%Y%m%d%H%M%S")


def parse_kftc_time(date: str, hhmmss: str) -> dt.datetime:
    return dt.datetime.strptime(date + hhmmss, "%Y%m%d%H%M%S").replace(tzinfo=KST)


def new_bank_tran_id(org_code: str) -> str:
    return f"{org_code}U" + "".join(secrets.choice(_ID_CHARS) for _ in range(9))




def refusal(bank_rsp_code: str) -> PartnerError:
    """The error for a participating bank's refusal code."""
    if bank_rsp_code in ("412", "415"):
        return AccountUnavailable(f"K-Bank: source account unavailable ({bank_rsp_code})", code=bank_rsp_code)
    if bank_rsp_code == "413":
        return AccountUnavailable("K-Bank: payee account unavailable (413)", code=bank_rsp_code)
    if bank_rsp_code == "551":
        return InsufficientFunds("K-Bank: insufficient funds (551)", code=bank_rsp_code)
    if bank_rsp_code == "812":
        return DefinitelyFailed("K-Bank: payee bank unavailable (812)", code=bank_rsp_code)
    if bank_rsp_code == "553":
        return DefinitelyFailed("K-Bank: the request arrived after req_expire_dtime (553)", code=bank_rsp_code)
    if bank_rsp_code == "822":
        return DuplicateTransfer("K-Bank: duplicate bank_tran_id (822)", code=bank_rsp_code)
    # an unknown code may hide a posted transfer: only a status inquiry can settle it
    return OutcomeUnknown(f"K-Bank: unrecognised bank answer {bank_rsp_code!r}", code=bank_rsp_code)


def check(status: int, headers: Any, payload: Any) -> dict[str, Any]:
    """The payload of a successful answer; otherwise the port's error for it."""
    if status == 429:
        raise _throttled(headers)
    if status >= 500:
        raise OutcomeUnknown(f"K-Bank: HTTP {status}", code=str(status))
    if status in (401, 403):
        raise AuthRefused(f"K-Bank: HTTP {status}", code=str(status))
    if status != 200:
        raise InvalidRequest(f"K-Bank: HTTP {status}", code=str(status))
    if not isinstance(payload, dict):
        raise OutcomeUnknown("K-Bank: unreadable answer", code="unreadable")
    rsp = str(payload.get("rsp_code", ""))
    if rsp == "A0000":
        bank = str(payload.get("bank_rsp_code") or "000")
        if bank == "000":
            return payload
        raise refusal(bank)
    if rsp == "A0002":
        raise refusal(str(payload.get("bank_rsp_code", "")))
    if rsp == "A0004":
        raise InvalidRequest("K-Bank: request refused as malformed (A0004)", code=rsp)
    if rsp == "A0013":
        raise _throttled(headers)
    if rsp == "O0002":
        raise TokenExpired("K-Bank: access token expired", code=rsp)
    if rsp.startswith("O"):
        raise AuthRefused(f"K-Bank: authentication refused ({rsp})", code=rsp)
    # A0001 (gateway error), A0007 (processing) and anything unknown
    raise OutcomeUnknown(f"K-Bank: outcome unknown ({rsp or 'no rsp_code'})", code=rsp or None)


def _throttled(headers: Any) -> RetryLater:
    return RetryLater("K-Bank: throttled", retry_after=retry_after_seconds(headers.get("Retry-After")), code="A0013")


def result_of(key: str, item: dict[str, Any]) -> TransferResult:
    """One item of a transfer result inquiry."""
    code = str(item.get("bank_rsp_code", ""))
    if code == "000":
        return TransferResult(key, "completed", bank_reference=item.get("bank_tran_id"))
    if code == "529":
        return TransferResult(key, "not_found")
    failure = refusal(code)
    if isinstance(failure, DefinitelyFailed):
        return TransferResult(key, "failed", bank_reference=item.get("bank_tran_id"), reason=failure.code)
    return TransferResult(key, "processing", bank_reference=item.get("bank_tran_id"))


def transaction_of(row: dict[str, Any]) -> Transaction:
    amount = int(row["tran_amt"])
    return Transaction(
        bank=BANK.code, at=parse_kftc_time(row["tran_date"], row["tran_time"]),
        amount=amount if row.get("inout_type") == "입금" else -amount,
        counterparty=str(row.get("print_content", "")), balance_after=int(row["after_balance_amt"]),
    )


class KBankAdapter(PartnerAdapter):
    bank = BANK
    name = BANK.code

    def __init__(self, *, base_url: str, timeout_s: float, credentials: dict[str, str]) -> None:
        self._http = PartnerHttp(base_url, timeout_s, bank=self.name)
        self.endpoint = self._http.base_url
        self._client_id = credentials["client_id"]
        self._client_secret = credentials["client_secret"]
        self._org_code = credentials["org_code"]
        self._token_lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0
        self._fintech: dict[str, str] = {}  # account digits -> fintech_use_num
        # the payee banks' KFTC codes, from the installed partners: a bank added later is
        # payable without a change here
        self._bank_codes = registry.clearing_codes()

    def __repr__(self) -> str:  # never the secret or the token
        return f"KBankAdapter(base_url={self._http.base_url!r})"

    # --- plumbing ---

    def _access_token(self) -> str:
        with self._token_lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            resp = self._http.send("POST", "/oauth/2.0/token", read=True, data={
                "client_id": self._client_id, "client_secret": self._client_secret,
                "grant_type": "client_credentials", "scope": "inquiry transfer",
            })
            payload = body_json(resp)
            if resp.status_code == 200 and isinstance(payload, dict) and "access_token" in payload:
                self._token = str(payload["access_token"])
                self._token_expires = time.monotonic() + float(payload.get("expires_in", 0)) - TOKEN_MARGIN_S
                return self._token
            check(resp.status_code, resp.headers, payload)
            raise AuthRefused("K-Bank: no access token in the answer", code="token")

    def _forget_token(self, token: str) -> None:
        with self._token_lock:
            if self._token == token:
                self._token = None

    def _call(self, method: str, path: str, *, read: bool, **kwargs: Any) -> dict[str, Any]:
        for attempt in (1, 2):
            token = self._access_token()
            resp = self._http.send(method, path, read=read, headers={"Authorization": f"Bearer {token}"}, **kwargs)
            try:
                return check(resp.status_code, resp.headers, body_json(resp))
            except TokenExpired:
                # the gateway refused before any work: sending again with a new token is safe
                self._forget_token(token)
                if attempt == 2:
                    raise AuthRefused("K-Bank: fresh access token refused as expired", code="O0002") from None
        raise AssertionError("unreachable")

    def _fintech_num(self, account: str) -> str:
        digits = digits_only(account)
        if digits in self._fintech:
            return self._fintech[digits]
        payload = self._call("POST", "/v2.0/user/register", read=True, json={
            "bank_tran_id": self.new_idempotency_key(), "bank_code_std": BANK.clearing_code,
            "register_account_num": digits, "tran_dtime": kftc_dtime(),
        })
        self._fintech[digits] = str(payload["fintech_use_num"])
        return self._fintech[digits]

    # --- the port ---

    def new_idempotency_key(self) -> str:
        return new_bank_tran_id(self._org_code)

    def accounts(self, holder: str) -> list[Account]:
        # In the sandbox a user's KFTC user_seq_no is couchbank's user id.
        payload = self._call("GET", "/v2.0/account/list", read=True,
                             params={"user_seq_no": holder, "include_cancel_yn": "N", "sort_order": "D"})
        found = []
        for item in payload.get("res_list", []):
            digits = digits_only(str(item.get("account_num", "")))
            self._fintech[digits] = str(item["fintech_use_num"])
            found.append(Account(bank=self.name, number=group_digits(digits, BANK.account_groups),
                                 name=str(item.get("account_alias", "")), holder=str(item.get("account_holder_name", ""))))
        return found

    def balance(self, account: str) -> Balance:
        payload = self._call("GET", "/v2.0/account/balance/fin_num", read=True, params={
            "bank_tran_id": self.new_idempotency_key(), "fintech_use_num": self._fintech_num(account),
            "tran_dtime": kftc_dtime(),
        })
        return Balance(bank=self.name, number=group_digits(digits_only(account), BANK.account_groups),
                       balance=int(payload["balance_amt"]))

    def _transaction_page(self, fintech: str, trace: str) -> dict[str, Any]:
        today = dt.datetime.now(KST)
        return self._call("GET", "/v2.0/account/transaction_list/fin_num", read=True, params={
            "bank_tran_id": self.new_idempotency_key(), "fintech_use_num": fintech, "inquiry_type": "A",
            "inquiry_base": "D", "from_date": "20000101", "to_date": today.strftime("%Y%m%d"),
            "sort_order": "D", "tran_dtime": kftc_dtime(today), "befor_inquiry_trace_info": trace,
        })

    def transactions(self, account: str, *, limit: int = 20, cursor: str | None = None) -> TransactionPage:
        def page(trace: str) -> paging.BankPage:
            body = self._transaction_page(self._fintech_num(account), trace)
            more = body.get("next_page_yn") == "Y"
            return body.get("res_list", []), str(body.get("befor_inquiry_trace_info", "")) if more else None

        return paging.collect(page, transaction_of, cursor, limit)

    def transfer(self, request: TransferRequest) -> TransferResult:
        if request.amount <= 0 or request.to_bank not in self._bank_codes:
            raise InvalidRequest("amount must be positive and to_bank one of " + ", ".join(self._bank_codes),
                                 code="request")
        if not request.idempotency_key.startswith(self._org_code + "U") or len(request.idempotency_key) != 20:
            raise InvalidRequest("idempotency key is not a bank_tran_id of this client", code="bank_tran_id")
        body = {
            "bank_tran_id": request.idempotency_key, "cntr_account_type": "N", "cntr_account_num": "",
            "dps_print_content": request.memo[:20], "fintech_use_num": self._fintech_num(request.from_account),
            "wd_print_content": (request.memo or request.to_name)[:20], "tran_amt": str(request.amount),
            "tran_dtime": kftc_dtime(), "req_client_name": "", "req_client_num": "", "transfer_purpose": "TR",
            "recv_client_name": request.to_name, "recv_client_bank_code": self._bank_codes[request.to_bank],
            "recv_client_account_num": digits_only(request.to_account),
        }
        if request.not_after is not None:
            body["req_expire_dtime"] = kftc_dtime(request.not_after)
        log.info("kbank transfer %s: %s KRW to %s", request.idempotency_key, request.amount, mask_account(request.to_account))
        try:
            payload = self._call("POST", "/v2.0/transfer/withdraw/fin_num", read=False, json=body)
        except DuplicateTransfer:
            return self._settle_duplicate(request)
        return TransferResult(request.idempotency_key, "completed", bank_reference=payload.get("bank_tran_id"))

    def _settle_duplicate(self, request: TransferRequest) -> TransferResult:
        """The bank already has this bank_tran_id: answer what became of it, unless it was
        another transfer (then the key was misused, and nothing new was done)."""
        key = request.idempotency_key
        item = self._result_item(key)
        result = result_of(key, item)
        if result.state != "not_found" and str(item.get("tran_amt", request.amount)) != str(request.amount):
            raise InvalidRequest("bank_tran_id already used for a different transfer", code="822")
        if result.state == "completed":
            return result
        if result.state == "failed":
            raise refusal(result.reason or "")
        raise OutcomeUnknown(f"K-Bank: transfer {key} is {result.state}", code=result.state)

    def _result_item(self, key: str) -> dict[str, Any]:
        payload = self._call("POST", "/v2.0/transfer/result", read=True, json={
            "check_type": "1", "tran_dtime": kftc_dtime(), "req_cnt": "1",
            "req_list": [{"tran_no": "1", "org_bank_tran_id": key, "org_bank_tran_date": "", "org_tran_amt": ""}],
        })
        items = payload.get("res_list") or [{}]
        return items[0]

    def transfer_status(self, idempotency_key: str) -> TransferResult:
        return result_of(idempotency_key, self._result_item(idempotency_key))

    def holder_name(self, account: str) -> str:
        # KFTC's 수취조회, asked of K-Bank about its own customer's account
        payload = self._call("POST", "/v2.0/inquiry/receive", read=True, json={
            "bank_tran_id": self.new_idempotency_key(), "cntr_account_type": "N", "cntr_account_num": "",
            "bank_code_std": BANK.clearing_code, "account_num": digits_only(account), "tran_dtime": kftc_dtime(),
        })
        name = payload.get("account_holder_name")
        if not isinstance(name, str) or not name:
            raise OutcomeUnknown("K-Bank: no account_holder_name in the answer", code="unreadable")
        return name

    def close(self) -> None:
        self._http.close()
