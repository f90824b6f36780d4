"""Every partner call goes through here: timed, logged without secrets, counted, and
described as an audit event that the caller appends in its own transaction."""
from __future__ import annotations

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
from banking import metrics

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

    def call(self, sink: list[PartnerCall], bank: str, operation: str,
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
            sink.append(record)
            metrics.PARTNER_CALLS.labels(bank, operation, record.outcome).inc()
            metrics.PARTNER_SECONDS.labels(bank, operation).observe(elapsed / 1000)
            log.info("partner_call", **record.audit_detail())

    def close(self) -> None:
        if "adapters" in self.__dict__:
            for adapter in self.adapters.values():
                adapter.close()
