"""The auditor API (placeholder until the audit trail's API lands)."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("audit", __name__, url_prefix="/v1/audit", description="The audit trail, for auditors")
