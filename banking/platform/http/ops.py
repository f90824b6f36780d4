"""Operational endpoints: readiness (/readyz) and Prometheus metrics (/metrics)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import marshmallow as ma
import requests
from flask import Response, jsonify
from flask_smorest import Blueprint
from sqlalchemy import text

from adapters.base import PartnerAdapter
from banking.core import banks
from banking.platform import metrics
from banking.platform.http.errors import CODES, ErrorBodySchema
from banking.platform.services import Services, current

blp = Blueprint("ops", __name__, description="Readiness and metrics, for operators")

#: a probe runs every few seconds: it must answer well inside a load balancer's timeout
PROBE_TIMEOUT_S = 1.0


def _checks_example() -> dict[str, str]:
    return _checks_of(banks.installed())


@lru_cache(maxsize=1)
def _checks_of(catalogue: banks.Catalogue) -> dict[str, str]:
    # one object for both schemas that show it, which the YAML spec writes once, as an anchor
    return {"database": "ok", **dict.fromkeys(catalogue.codes, "ok")}


class ReadySchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True,
                            metadata={"example": _checks_example,
                                      "description": "the database and each partner: ok, or what failed"})


class NotReadySchema(ReadySchema):
    """The error envelope, plus the same checks as a ready answer."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


def _database(services: Services) -> str:
    try:
        with services.db.read() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; say only its kind
        return f"error: {type(exc).__name__}"
    return "ok"


def _partner(adapter: PartnerAdapter) -> str:
    """Whether the partner answers HTTP at all. Not an adapter operation: a probe every few
    seconds must neither spend a partner's quota nor write audit events. Adapters without an
    HTTP endpoint (the in-memory ones) are in process and always reachable."""
    base_url = adapter.endpoint
    if not base_url:
        return "ok"
    try:
        requests.get(base_url, timeout=PROBE_TIMEOUT_S, allow_redirects=False)
    except requests.RequestException as exc:
        return f"unreachable: {type(exc).__name__}"
    return "ok"


def readiness(services: Services) -> dict[str, str]:
    checks = {"database": _database(services)}
    for name, adapter in sorted(services.partners.adapters.items()):
        checks[name] = _partner(adapter)
    return checks


@blp.route("/readyz", methods=["GET"])
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=NotReadySchema, description="The database or a partner is unreachable")
def readyz() -> Any:
    """Readiness: the database answers and every partner bank is reachable."""
    checks = readiness(current())
    failed = sorted(name for name, outcome in checks.items() if outcome != "ok")
    if not failed:
        return {"status": "ok", "checks": checks}
    # a Response passes flask-smorest's 200 schema untouched
    response = jsonify({"error": {"code": CODES[503], "message": f"Not ready: {', '.join(failed)}.",
                                  "fields": {name: checks[name] for name in failed}},
                        "status": "unavailable", "checks": checks})
    response.status_code = 503
    return response


@blp.route("/metrics", methods=["GET"])
@blp.response(200, content_type="text/plain")
@blp.doc(responses={"200": {
    "description": "Prometheus text exposition (every gunicorn worker's numbers when "
                   "PROMETHEUS_MULTIPROC_DIR is set)",
    "content": {"text/plain": {"schema": {"type": "string"}, "example":
                "# TYPE couchbank_turns_total counter\n"
                "couchbank_turns_total{intent=\"transfer\",status=\"completed\"} 1.0\n"}}}})
def prometheus() -> Response:
    """Prometheus metrics: turns, latency, partner calls, lockouts, pending transfers, auth."""
    payload, content_type = metrics.exposition()
    return Response(payload, content_type=content_type)
