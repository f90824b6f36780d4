"""Every partner call goes through here: timed, counted, and recorded in a `CallLog` that the
caller drains to append the calls as audit events in its own transaction; each call is
logged (without secrets) as it is drained."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Mapping, TypeVar

import structlog

from adapters.base import (
    DefinitelyFailed,
    OutcomeUnknown,
    PartnerAdapter,
    PartnerError,
    RetryLater,
)
from banking.platform import metrics

T = TypeVar("T")
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PartnerCall:
    adapter: str
    operation: str
    outcome: str  # ok | failed | unknown | retry_later | error
    latency_ms: float
    code: str | None = None

    @property
    def audit_type(self) -> str:
        return f"partner.{self.operation}"

    def audit_detail(self) -> dict[str, object]:
        return {"adapter": self.adapter, "operation": self.operation, "outcome": self.outcome,
                "latency_ms": round(self.latency_ms, 1), "code": self.code}


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, DefinitelyFailed):
        return "failed"
    if isinstance(error, RetryLater):
        return "retry_later"
    if isinstance(error, OutcomeUnknown):
        return "unknown"
    return "error"


def _log(call: PartnerCall) -> None:
    # every call is an audit event and in the metrics already: the log line is for the calls
    # that need a look (failed, unknown, throttled), the rest only when debugging
    if call.outcome == "ok":
        log.debug("partner_call", **call.audit_detail())
    else:
        log.warning("partner_call", **call.audit_detail())


class CallLog:
    """The partner calls of one unit of work (a turn, a transfer attempt).

    Calls are logged by the thread that drains them, not by the pool threads that made
    them: log lines written from several pool threads at once made those threads take the
    GIL from each other and from the waiting request. A call that ends after the unit of
    work (a read that outlived its turn's budget) is late: it is logged, and handed to
    `on_late`, which the unit of work sets to append it to the audit trail on its own
    (every partner call is an event, whenever it finishes)."""

    def __init__(self) -> None:
        self._calls: list[PartnerCall] = []
        self._closed = False
        self._lock = threading.Lock()
        self.on_late: Callable[[PartnerCall], None] | None = None

    def add(self, call: PartnerCall) -> None:
        with self._lock:
            if not self._closed:
                self._calls.append(call)
                return
        self._late(call)

    def _late(self, call: PartnerCall) -> None:
        _log(call)
        if self.on_late is None:
            return
        try:
            self.on_late(call)
        except Exception as exc:  # the call is done and logged; nothing to take back
            log.warning("partner_call_not_audited", error_type=type(exc).__name__, **call.audit_detail())

    def drain(self) -> list[PartnerCall]:
        """The calls recorded since the last drain, logged now."""
        with self._lock:
            calls, self._calls = self._calls, []
        for call in calls:
            _log(call)
        return calls

    def __enter__(self) -> CallLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        # what was never drained is late too; calls that end later hand themselves on
        with self._lock:
            self._closed = True
            calls, self._calls = self._calls, []
        for call in calls:
            self._late(call)


class UnknownBank(PartnerError):
    pass


class Partners:
    """The partner adapters, built on first use (their credentials live under the data
    directory, which commands like `flask nlu parse` must not create)."""

    def __init__(self, adapters: Mapping[str, PartnerAdapter] | Callable[[], Mapping[str, PartnerAdapter]]) -> None:
        self._source = adapters

    @cached_property
    def adapters(self) -> dict[str, PartnerAdapter]:
        return dict(self._source() if callable(self._source) else self._source)

    def call(self, calls: CallLog, bank: str, operation: str,
             fn: Callable[[PartnerAdapter], T]) -> T:
        adapter = self.adapters.get(bank)
        if adapter is None:
            raise UnknownBank(f"no adapter for bank {bank!r}")
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            return fn(adapter)
        except PartnerError as exc:
            error = exc
            raise
        except Exception as exc:  # an adapter bug must not look like a definite answer
            error = exc
            raise OutcomeUnknown(f"{bank} adapter error: {type(exc).__name__}") from exc
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            record = PartnerCall(bank, operation, _outcome(error), elapsed,
                                 getattr(error, "code", None) if error else None)
            metrics.PARTNER_CALLS.labels(bank, operation, record.outcome).inc()
            metrics.PARTNER_SECONDS.labels(bank, operation).observe(elapsed / 1000)
            calls.add(record)

    def close(self) -> None:
        if "adapters" in self.__dict__:
            for adapter in self.adapters.values():
                adapter.close()
