"""The error envelope of CONTRACT §4.4 for every error the app can produce: aborts, Flask's
own HTTP errors, webargs validation and, as a last resort, anything unexpected."""
from __future__ import annotations

import traceback
from typing import Any

import marshmallow as ma
import structlog
from flask import Flask, Response, jsonify
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

log = structlog.get_logger(__name__)

#: short machine-readable codes per status, used unless the raiser names one
CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 408: "request_timeout", 409: "conflict", 413: "payload_too_large",
    414: "uri_too_long", 415: "unsupported_media_type", 417: "expectation_failed",
    422: "invalid_request", 429: "too_many_requests", 431: "header_fields_too_large",
    500: "internal_error", 503: "unavailable",
}


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "invalid_request"})
    message = ma.fields.String(required=True, metadata={"example": "The request body breaks the schema."})
    fields = ma.fields.Dict(
        allow_none=True, required=True,
        metadata={"description": "each bad field and what is wrong with it (422), else null"},
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


class ApiError(HTTPException):
    """An error the service raises on purpose, with its own code and message."""

    def __init__(self, status: int, code: str, message: str, *,
                 fields: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(description=message)
        self.code = status
        self.error_code = code
        self.fields = fields
        self.extra_headers = headers or {}


def _flatten(messages: Any) -> dict[str, Any]:
    # webargs nests messages by location ({"json": {"utterance": [...]}}); clients want fields
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "headers", "view_args", "form"}:
        flat: dict[str, Any] = {}
        for part in messages.values():
            flat.update(part if isinstance(part, dict) else {"_schema": part})
        return flat
    return messages if isinstance(messages, dict) else {"_schema": messages}


def envelope(status: int, code: str, message: str, fields: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "fields": fields}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, ApiError):
        return envelope(status, error.error_code, error.description or "", error.fields, error.extra_headers)
    data = getattr(error, "data", None) or {}
    fields = None
    message = error.description or error.name
    if status == 422 or "messages" in data:
        fields = _flatten(data.get("messages") or data.get("errors") or {})
        message = "The request breaks the schema: see fields."
    elif status == 400:
        message = "The request body is not valid JSON."
    elif status == 413:
        message = "The request body is larger than 64 KiB."
    headers = dict(data.get("headers") or {})
    # RFC 9110: a 405 names the methods that are allowed
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))  # type: ignore[attr-defined]
    return envelope(status, CODES.get(status, "error"), message, fields, headers)


def unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return http_error(error)
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        # the database is unreachable or busy: the client may retry, it did nothing wrong
        log.warning("database_unavailable", error_type=type(error.orig or error).__name__)
        return envelope(503, CODES[503], "The service is temporarily unavailable; try again shortly.",
                        headers={"Retry-After": "1"})
    # a bug: logged with its type and place only, since exception text may quote request data
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    log.error("unhandled_exception", error_type=type(error).__name__,
              where=f"{frame.filename}:{frame.lineno}" if frame else None)
    return http_error(InternalServerError("Something went wrong on our side."))


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)
