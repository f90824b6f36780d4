"""GET /v1/transfers and /v1/transfers/<id> (CONTRACT §4.3), for the device's user only."""
from __future__ import annotations

import re
from typing import Any

from flask import g

from banking.auth import device_auth
from banking.platform.http import docs
from banking.platform.http.errors import ApiError
from banking.platform.http.parsing import Blueprint
from banking.transfers import queries
from banking.voice.schemas import TransferListQuerySchema, TransferListSchema, TransferSchema

blp = Blueprint("transfers", __name__, url_prefix="/v1/transfers", description="The device user's transfers")
blp.before_request(device_auth.authenticate_device)
blp.after_request(device_auth.spend_unspent_nonce)
blp.teardown_request(device_auth.forget_request_state)

#: from the demo household (CONTRACT §2): 50,000 KRW to 엄마, sent from the K-Bank account
_EXAMPLE = {"transfer_id": "tr_3f2c0e6b9a6f4c1d8e0f1a2b3c4d5e6f", "status": "completed", "amount": 50000,
            "payee": "엄마", "bank": "kbank", "created_at": "2026-03-02T01:15:04+00:00",
            "updated_at": "2026-03-02T01:15:05+00:00"}
#: what `banking.transfers.reservation` issues; anything else (a NUL byte, which PostgreSQL text cannot
#: hold, included) names no transfer and never reaches the database
_TRANSFER_ID = re.compile(r"tr_[0-9a-f]{32}")


def _public(row: Any) -> dict[str, Any]:
    return {"transfer_id": row.id, "status": row.status, "amount": row.amount, "payee": row.payee,
            "bank": row.from_bank, "created_at": row.created_at, "updated_at": row.updated_at}


@blp.route("", methods=["GET"])
@blp.doc(security=docs.DEVICE_SECURITY)
@blp.arguments(TransferListQuerySchema(), location="query")
@blp.response(200, TransferListSchema, example={"transfers": [_EXAMPLE]})
@docs.errors(blp, docs.DEVICE_ERRORS | {422: "Bad query"})
def list_transfers(query: dict[str, Any]) -> dict[str, Any]:
    """The user's transfers, newest first."""
    # the read the edge checked the nonce in, continued
    with device_auth.unit_of_work().read() as conn:
        rows = queries.recent(conn, g.user_id, query["limit"])
    return {"transfers": [_public(r) for r in rows]}


@blp.route("/<string:transfer_id>", methods=["GET"])
@blp.doc(security=docs.DEVICE_SECURITY)
@blp.response(200, TransferSchema, example=_EXAMPLE)
@docs.errors(blp, docs.DEVICE_ERRORS | {404: "Unknown transfer, or another user's"})
def get_transfer(transfer_id: str) -> dict[str, Any]:
    """One of the user's transfers; 404 for another user's or an unknown id."""
    row = None
    if _TRANSFER_ID.fullmatch(transfer_id):
        with device_auth.unit_of_work().read() as conn:
            row = queries.get(conn, g.user_id, transfer_id)
    if row is None:
        raise ApiError(404, "not_found", "No such transfer.")
    return _public(row)
