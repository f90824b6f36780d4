"""Marshmallow schemas of the auditor API; they are also its part of `openapi.yaml`, and the
console reads its search form with the same filter schema."""
from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range, Regexp

from banking.audit_query import Cursor


#: PostgreSQL text cannot hold NUL, so no stored value can match one; a Regexp (not a
#: function) so that the spec says so too, as `pattern`
_NO_NUL = Regexp(r"^[^\x00]*$", error="Must not contain NUL characters.")
_ID = {"validate": [Length(1, 64), _NO_NUL]}


class UtcDateTime(ma.fields.AwareDateTime):
    """ISO-8601, UTC when no offset is given, and converted to UTC (what the store compares)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=dt.UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError as exc:  # e.g. 0001-01-01T00:00+01:00
            raise ma.ValidationError("Out of range in UTC.") from exc


class CursorField(ma.fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Cursor:
        try:
            return Cursor.decode(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ma.ValidationError("Not a cursor from a previous page.") from exc


class FilterQuerySchema(ma.Schema):
    user_id = ma.fields.String(**_ID, metadata={"example": "demo"})
    device_id = ma.fields.String(**_ID, metadata={"example": "demo-tv"})
    session_id = ma.fields.String(**_ID)
    type = ma.fields.String(**_ID, metadata={
        "description": "an event type exactly, or every type under a prefix that ends with '.'",
        "example": "transfer."})
    since = UtcDateTime(metadata={
        "description": "ISO-8601; events at or after it (UTC when no offset is given)"})
    until = UtcDateTime(metadata={
        "description": "ISO-8601; events before it (UTC when no offset is given)"})


class EventQuerySchema(FilterQuerySchema):
    limit = ma.fields.Integer(load_default=100, validate=Range(1, 1000))
    cursor = CursorField(metadata={"description": "next_cursor of the previous page"})


class ExportQuerySchema(FilterQuerySchema):
    format = ma.fields.String(load_default="jsonl", validate=OneOf(["jsonl", "csv"]))


class CheckpointQuerySchema(ma.Schema):
    limit = ma.fields.Integer(load_default=100, validate=Range(1, 1000))


def _nullable_string(**kw: Any) -> ma.fields.String:
    return ma.fields.String(required=True, allow_none=True, **kw)


class EventSchema(ma.Schema):
    seq = ma.fields.Integer(required=True)
    at = ma.fields.String(required=True, metadata={"format": "date-time", "example": "2025-01-31T09:15:00.000000Z"})
    type = ma.fields.String(required=True, metadata={"example": "transfer.completed"})
    user_id = _nullable_string()
    device_id = _nullable_string()
    session_id = _nullable_string()
    request_id = _nullable_string(metadata={"description": "also in the service's structured logs"})
    detail = ma.fields.Dict(required=True)
    prev_hash = ma.fields.String(required=True)
    hash = ma.fields.String(required=True, metadata={"description": "HMAC-SHA256 over prev_hash and the event"})


class EventPageSchema(ma.Schema):
    events = ma.fields.List(ma.fields.Nested(EventSchema), required=True)
    next_cursor = _nullable_string(metadata={"description": "null on the last page"})


class VerifySchema(ma.Schema):
    ok = ma.fields.Boolean(required=True)
    checked = ma.fields.Integer(required=True, metadata={"description": "events checked"})
    first_bad_seq = ma.fields.Integer(required=True, allow_none=True)


class CheckpointSchema(ma.Schema):
    seq = ma.fields.Integer(required=True)
    head_hash = ma.fields.String(required=True)
    at = ma.fields.String(required=True, metadata={"format": "date-time"})
    signature = ma.fields.String(required=True, metadata={"description": "Ed25519, hex"})
    public_key = ma.fields.String(required=True, metadata={"description": "Ed25519, raw, hex"})


class CheckpointListSchema(ma.Schema):
    checkpoints = ma.fields.List(ma.fields.Nested(CheckpointSchema), required=True)
