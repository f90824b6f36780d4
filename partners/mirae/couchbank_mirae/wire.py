"""Mirae Asset's CMA open API, as its client and its sandbox both speak it: the transaction ids
that name each operation, the result codes and the account number's two parts.

Every call but the token carries `authorization: Bearer <token>`, `appkey`, `appsecret`,
`tr-id` (the transaction id: which operation this is; a call whose `tr-id` does not name its
path is refused) and `custtype: P`. (Securities APIs spell these `tr_id`, `tr_cont`; here they
take a hyphen, because common servers and proxies, werkzeug's and nginx's among them, drop
header names with underscores.) Every answer is `{"rt_cd", "msg_cd", "msg1", "output1", "output2"}`: `rt_cd`
`"0"` done, `"1"` refused; `msg_cd` says what happened. Business refusals are HTTP 200; the
gateway answers 401 for tokens, and 500 for its own failures *and for throttling*
(`EGW00201`, with `output1.RTRY_WAIT_SEC`), so a 500 must be read before it is retried.

An account number is written `5012-3456-78`: the 8-digit `CANO` and the 2-digit product code
`ACNT_PRDT_CD`. Amounts are whole-won integer strings, times `yyyyMMdd` + `HHmmss` (KST).
"""
from __future__ import annotations

import datetime as dt

from adapters.base import digits_only

KST = dt.timezone(dt.timedelta(hours=9), "KST")
API = "/uapi/cma/v1"
TOKEN_PATH = "/oauth2/tokenP"

# tr_id: one per operation; R reads, U changes something
TR_ACCOUNTS = "MCMA0100R"
TR_BALANCE = "MCMA0200R"
TR_HISTORY = "MCMA0300R"
TR_TRANSFER = "MCMA0500U"
TR_TRANSFER_STATUS = "MCMA0510R"
TR_HOLDER = "MCMA0700R"

#: the history's fixed page; `CTX_AREA_NK100` is the key of the next one (asked for with the
#: request header `tr-cont: N`), and the answer header `tr-cont` is `M` while more pages
#: follow, `D` on the last
PAGE_SIZE = 12

OK = "MCA00000"
#: accepted, still being processed: the outcome is not known yet (status by `CLNT_ORD_NO`)
PROCESSING = "MCA00800"
NOT_FOUND = "MCA04040"
MALFORMED = "MCA00400"
SOURCE_UNAVAILABLE = "MCA01101"
INSUFFICIENT_FUNDS = "MCA01102"
PAYEE_UNAVAILABLE = "MCA01103"
PAYEE_BANK_UNAVAILABLE = "MCA01104"
EXPIRED = "MCA01105"
KEY_REUSED = "MCA01422"
WRONG_TR_ID = "EGW00205"
BAD_APP_KEY = "EGW00103"
BAD_TOKEN = "EGW00121"
TOKEN_EXPIRED = "EGW00123"
THROTTLED = "EGW00201"
GATEWAY_ERROR = "EGW00500"

#: transfer states in `output1.TRFR_STAT_CD`
DONE, IN_PROGRESS, REFUSED = "00", "01", "09"


def split_account(number: str) -> tuple[str, str]:
    """`5012-3456-78` -> (`50123456`, `78`); ValueError for anything that is not 10 digits."""
    digits = digits_only(number)
    if len(digits) != 10:
        raise ValueError("a Mirae account number has 8 + 2 digits")
    return digits[:8], digits[8:]


def dttm(at: dt.datetime) -> str:
    return at.astimezone(KST).strftime("%Y%m%d%H%M%S")
