"""Prometheus metrics (prometheus_client). Under gunicorn set PROMETHEUS_MULTIPROC_DIR so
that every worker's numbers are collected (see docs/operations.md)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
