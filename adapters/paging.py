"""The port's transaction pages over a bank's own pages: a bank pages by a key of its own and
a fixed page size, the port by a `limit` the caller picks, so the port's cursor is the bank's
key plus how many rows of that bank page were already handed out. Any adapter whose bank
pages this way (K-Bank's trace info, Mirae's `CTX_AREA_NK100`) walks its pages here."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from adapters.base import InvalidRequest, Transaction, TransactionPage

#: one bank page: its rows, and the key of the next page (None: this was the last)
BankPage = tuple[list[Mapping[str, Any]], str | None]


def encode_cursor(key: str, skip: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, skip]).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[str, int]:
    if not cursor:
        return "", 0
    try:
        key, skip = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidRequest("malformed cursor", code="cursor") from None
    if not isinstance(key, str) or not isinstance(skip, int) or skip < 0:
        raise InvalidRequest("malformed cursor", code="cursor")
    return key, skip


def collect(fetch: Callable[[str], BankPage], convert: Callable[[Mapping[str, Any]], Transaction],
            cursor: str | None, limit: int) -> TransactionPage:
    """Up to `limit` transactions from the position `cursor` names, fetching bank pages by key
    (`fetch("")` is the first) until the port's page is full or the bank has no more."""
    if limit < 1:
        raise InvalidRequest("limit must be at least 1", code="limit")
    key, skip = decode_cursor(cursor)
    found: list[Transaction] = []
    while True:
        rows, next_key = fetch(key)
        rows = rows[skip:]
        wanted = limit - len(found)
        if len(rows) > wanted:
            found += [convert(r) for r in rows[:wanted]]
            return TransactionPage(found, encode_cursor(key, skip + wanted))
        found += [convert(r) for r in rows]
        if next_key is None:
            return TransactionPage(found, None)
        key, skip = next_key, 0
        if len(found) == limit:
            return TransactionPage(found, encode_cursor(key, 0))
