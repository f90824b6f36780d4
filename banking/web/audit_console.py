"""The auditors' web console at /audit (placeholder until the console lands)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit_console", __name__, url_prefix="/audit")
