"""The auditor API (CONTRACT §6): read, verify, export and checkpoint the audit trail with an
auditor's bearer token. A device's signed request is refused outright: devices never read it."""
from __future__ import annotations

from typing import Any, Callable

from flask import Response, g, request
from flask.views import MethodView

from banking.audit import auditors
from banking.audit.actions import Desk
from banking.audit.checkpoint_log import CheckpointLogUnavailable
from banking.audit.checkpoints import CheckpointRefused
from banking.audit.download import download
from banking.audit.query import Filters
from banking.audit.schemas import (
    CheckpointListSchema,
    CheckpointQuerySchema,
    CheckpointSchema,
    EventPageSchema,
    EventQuerySchema,
    EventSchema,
    ExportQuerySchema,
    VerifyCheckpointSchema,
    VerifySchema,
)
from banking.platform.http import docs
from banking.platform.http.errors import ApiError
from banking.platform.http.parsing import Blueprint
from banking.platform.services import current

blp = Blueprint("audit", __name__, url_prefix="/v1/audit", description="The audit trail, for auditors")

_DEVICE_HEADERS = ("X-Device-Id", "X-Signature")
_ERRORS = {401: "No active auditor token", 403: "A device's request", 404: "No such event",
           409: "The head cannot be signed (`checkpoint_refused`): it is below a checkpoint, "
                "or the trail since the newest checkpoint does not verify",
           422: "A parameter or the body breaks the schema",
           503: "The checkpoint log file cannot be appended to (`checkpoint_log_unavailable`); "
                "nothing was signed"}


def _errors(*statuses: int) -> Callable[[Any], Any]:
    """Document the auditor's token and the error envelope for each status a route can answer."""
    documented = docs.errors(blp, {status: _ERRORS[status] for status in statuses})
    return lambda view: blp.doc(security=docs.AUDITOR_SECURITY)(documented(view))


@blp.before_request
def auditor_only() -> None:
    if any(request.headers.get(name) for name in _DEVICE_HEADERS):
        raise ApiError(403, "forbidden", "Devices cannot read the audit trail.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    auditor = None
    if scheme.lower() == "bearer" and token:
        services = current()
        with services.db.read() as conn:
            auditor = auditors.identify(conn, services.keys, token)
    if auditor is None:
        raise ApiError(401, "unauthorized", "An active auditor's bearer token is required.",
                       headers={"WWW-Authenticate": 'Bearer realm="couchbank-audit"'})
    g.auditor = auditor


def desk() -> Desk:
    return Desk(current(), g.auditor.name, g.get("request_id"))


@blp.route("/events", methods=["GET"])
@blp.arguments(EventQuerySchema(), location="query")
@blp.response(200, EventPageSchema)
@_errors(401, 403, 422)
def list_events(query: dict[str, Any]) -> dict[str, Any]:
    """Events in sequence order, filtered, a page at a time (follow `next_cursor`)."""
    page = desk().events(Filters.of(query), query["limit"], query.get("cursor"))
    return {"events": page.events, "next_cursor": page.next_cursor}


@blp.route("/events/<int:seq>", methods=["GET"])
@blp.response(200, EventSchema)
@_errors(401, 403, 404)
def get_event(seq: int) -> dict[str, Any]:
    """One event by its sequence number."""
    event = desk().event(seq)
    if event is None:
        raise ApiError(404, "not_found", f"There is no event {seq}.")
    return event


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerifySchema)
    @_errors(401, 403)
    def get(self) -> dict[str, Any]:
        """Walk the keyed chain from the retention anchor and hold it to the newest signed
        checkpoint; names the first bad sequence number (the checkpoint's, when the chain ends
        before it or disagrees with it, or when a checkpoint row's signature does not hold)."""
        return desk().verify().as_dict()

    @blp.arguments(VerifyCheckpointSchema())
    @blp.response(200, VerifySchema)
    @_errors(401, 403, 422)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """As GET, and against a checkpoint the auditor kept off-host: its signature must hold
        under this service's key (else `ok` is false with no `first_bad_seq`) and the chain must
        still hold its seq with its hash (else `first_bad_seq` is that seq). A checkpoint older
        than the retention anchor cannot be compared and passes when the chain does."""
        return desk().verify_saved(body["checkpoint"]).as_dict()


@blp.route("/export", methods=["GET"])
@blp.arguments(ExportQuerySchema(), location="query")
@blp.response(200, description="The matching events, streamed: JSON Lines or CSV with a header row")
@blp.doc(responses={"200": {"content": {
    "application/x-ndjson": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}}}})
@_errors(401, 403, 422)
def export(query: dict[str, Any]) -> Response:
    """Every matching event in sequence order, streamed in constant memory."""
    return download(desk(), query)


@blp.route("/checkpoints")
class Checkpoints(MethodView):
    @blp.arguments(CheckpointQuerySchema(), location="query")
    @blp.response(200, CheckpointListSchema)
    @_errors(401, 403, 422)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Signed checkpoints of the chain head, newest first, a page at a time (follow
        `next_before_seq`). Keep them off-host: `POST /v1/audit/verify` checks one later."""
        listed = desk().checkpoints(query["limit"], query.get("before_seq"))
        return {"checkpoints": [c.as_dict() for c in listed.checkpoints], "next_before_seq": listed.next_before_seq}

    @blp.response(201, CheckpointSchema)
    @_errors(401, 403, 409, 503)
    def post(self) -> dict[str, Any]:
        """Sign the current head now (a head signed before keeps its first checkpoint). Only a
        head that extends the newest checkpoint is signed: never one below it."""
        try:
            return desk().checkpoint().as_dict()
        except CheckpointRefused as exc:
            raise ApiError(409, "checkpoint_refused", f"The head was not signed: {exc}.") from None
        except CheckpointLogUnavailable:
            raise ApiError(503, "checkpoint_log_unavailable",
                           "The checkpoint log cannot be appended to; nothing was signed.") from None
