"""The operator API both sandboxes share (CONTRACT 5); never subject to faults."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from adapters.sandbox import faults, ledger, state

blueprint = Blueprint("operator", __name__, url_prefix="/_sandbox")


@blueprint.get("/healthz")
def healthz() -> Any:
    sandbox = state.current()
    sandbox.db.query_one("SELECT 1")
    return jsonify({"status": "ok", "bank": sandbox.bank.id})


@blueprint.get("/ledger")
def get_ledger() -> Any:
    postings = ledger.all_postings(state.current().db)
    return jsonify({"postings": [
        {"posting_id": p.posting_id, "account": p.account, "amount": p.amount, "counterparty": p.counterparty,
         "reference": p.reference, "at": p.at.isoformat(timespec="milliseconds")}
        for p in postings
    ]})


@blueprint.post("/faults")
def add_fault() -> Any:
    try:
        fault = faults.parse(request.get_json(silent=True))
    except ValueError as exc:
        return jsonify({"error": str(exc)}), 400
    faults.add(state.current().db, fault)
    return jsonify({"fault": fault.__dict__}), 201


@blueprint.delete("/faults")
def clear_faults() -> Any:
    faults.clear(state.current().db)
    return jsonify({"faults": []})
