"""Prometheus metrics (prometheus_client). Under gunicorn set PROMETHEUS_MULTIPROC_DIR so
that every worker's numbers are collected (see docs/operations.md)."""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

TURNS = Counter("couchbank_turns_total", "Voice turns", ["intent", "status"])
TURN_SECONDS = Histogram(
    "couchbank_turn_seconds", "Server-side time of a voice turn",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8),
)
PARTNER_CALLS = Counter("couchbank_partner_calls_total", "Partner calls", ["adapter", "operation", "outcome"])
PARTNER_SECONDS = Histogram(
    "couchbank_partner_call_seconds", "Partner call latency", ["adapter", "operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
LOCKOUTS = Counter("couchbank_lockouts_total", "Users locked after five wrong PINs")
AUTH = Counter("couchbank_auth_total", "Authentication decisions", ["factor", "outcome"])
PENDING_TRANSFERS = Gauge(
    "couchbank_pending_transfers", "Transfers whose outcome is not yet known",
    multiprocess_mode="max",
)
TRANSFERS = Counter("couchbank_transfers_total", "Transfer state changes", ["status"])
TRANSFER_DISCREPANCIES = Counter(
    "couchbank_transfer_discrepancies_total",
    "Transfers recorded as failed that the bank then reported posted (should stay 0)")
#: `route` is the URL rule (`/v1/transfers/<string:transfer_id>`), never the raw path, so the
#: number of series stays bounded whatever clients send
HTTP_RESPONSES = Counter("couchbank_http_responses_total", "HTTP responses", ["method", "route", "status"])
HTTP_SECONDS = Histogram(
    "couchbank_http_request_seconds", "Server-side time of an HTTP request", ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8),
)


def registry() -> CollectorRegistry:
    """This process's registry, or under gunicorn (PROMETHEUS_MULTIPROC_DIR set) a fresh one
    that collects every worker's files on each scrape."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    return REGISTRY


def exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition and its content type."""
    return generate_latest(registry()), CONTENT_TYPE_LATEST
