"""Raw dialect requests for tests that look under the adapters."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests

from adapters.credentials import partner_credentials
from adapters.kbank import kftc_dtime, new_bank_tran_id
from adapters.woori import signature


def kbank_token(url: str, data_dir: Path, scope: str = "inquiry transfer") -> str:
    creds = partner_credentials("kbank", data_dir)
    resp = requests.post(f"{url}/oauth/2.0/token", data={
        "client_id": creds["client_id"], "client_secret": creds["client_secret"],
        "grant_type": "client_credentials", "scope": scope}, timeout=5)
    return resp.json()["access_token"]


def kbank_tran_id(data_dir: Path) -> str:
    return new_bank_tran_id(partner_credentials("kbank", data_dir)["org_code"])


def kbank_withdraw(url: str, token: str, tran_id: str, fintech: str, amount: str, to_account: str = "100555000111",
                   bank_code: str = "089") -> requests.Response:
    return requests.post(f"{url}/v2.0/transfer/withdraw/fin_num", headers={"Authorization": f"Bearer {token}"}, json={
        "bank_tran_id": tran_id, "fintech_use_num": fintech, "tran_amt": amount, "tran_dtime": kftc_dtime(),
        "recv_client_name": "아빠", "recv_client_bank_code": bank_code, "recv_client_account_num": to_account,
        "wd_print_content": "test",
    }, timeout=5)


def woori_call(url: str, data_dir: Path, method: str, path: str, body: dict[str, Any] | None = None, *,
               headers: dict[str, str] | None = None, secret: str | None = None,
               timestamp: int | None = None) -> requests.Response:
    creds = partner_credentials("woori", data_dir)
    raw = b"" if body is None else json.dumps({"dataHeader": {}, "dataBody": body}).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = signature(secret or creds["app_secret"], method, path, ts, raw)
    all_headers = {"appKey": creds["app_key"], "X-Woori-Timestamp": ts, "X-Woori-Signature": sig,
                   "Content-Type": "application/json", **(headers or {})}
    return requests.request(method, url + path, data=raw or None, headers=all_headers, timeout=5)
