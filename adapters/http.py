"""Shared requests plumbing for partner adapters: one pooled session, one timeout,
transport failures turned into the port's errors, and a retry only for reads.

A read is retried once when the bank never saw it or answered a quick 5xx; a timeout is
never retried, because a second wait would overrun the caller's budget (a speaker gives
up after 8 s). Writes are never retried here: their unknown outcome belongs to
`transfer_status`.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import requests
import structlog
from requests.adapters import HTTPAdapter

from adapters.base import OutcomeUnknown

log = logging.getLogger(__name__)
_RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
REQUEST_ID_HEADER = "X-Request-Id"


def body_json(resp: requests.Response) -> Any:
    """A partner's answer as JSON, or None when it is not (a proxy's HTML error page, an empty
    body): each dialect then judges the status code alone."""
    try:
        return resp.json()
    except ValueError:
        return None


def retry_after_seconds(value: str | None, default: float = 1.0) -> float:
    """`Retry-After` in seconds; HTTP dates and junk fall back to `default`."""
    try:
        seconds = float(value) if value is not None else default
    except ValueError:
        return default
    return seconds if math.isfinite(seconds) and seconds >= 0 else default


class PartnerHttp:
    def __init__(self, base_url: str, timeout_s: float, *, bank: str, pool_size: int = 16,
                 throttled: Callable[[requests.Response], bool] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (timeout_s, timeout_s)
        self.bank = bank
        #: for a bank that throttles with a 5xx: such an answer is the bank's "wait", never retried
        self._throttled = throttled
        self._session = requests.Session()
        # no urllib3-level retries: this class decides what may be sent twice
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def send(self, method: str, path: str, *, read: bool, **kwargs: Any) -> requests.Response:
        """One request (two for a read whose first try failed fast). Raises OutcomeUnknown
        when no answer came back."""
        attempts = 2 if read else 1
        # the partner's log lines (the sandboxes') then carry the id of the request that called
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            kwargs["headers"] = {REQUEST_ID_HEADER: request_id, **(kwargs.get("headers") or {})}
        for attempt in range(1, attempts + 1):
            try:
                resp = self._session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
            except requests.Timeout:
                # the message of requests' exception carries the URL: keep it out
                raise OutcomeUnknown(f"{self.bank}: no answer within {self.timeout[1]:g} s", code="timeout") from None
            except requests.RequestException as exc:
                if attempt < attempts:
                    log.info("%s: %s on a read; retrying once", self.bank, type(exc).__name__)
                    time.sleep(0.05)
                    continue
                raise OutcomeUnknown(f"{self.bank}: connection failed ({type(exc).__name__})", code="connection") from None
            if (read and resp.status_code in _RETRYABLE_STATUS and attempt < attempts
                    and not (self._throttled and self._throttled(resp))):
                log.info("%s: HTTP %s on a read; retrying once", self.bank, resp.status_code)
                time.sleep(0.05)
                continue
            return resp
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._session.close()
