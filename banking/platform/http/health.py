"""Liveness (/healthz); readiness and metrics are in `ops`."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

blp = Blueprint("health", __name__, description="Liveness")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
def healthz() -> dict[str, str]:
    """Liveness: answers once the service can take requests."""
    return {"status": "ok"}
