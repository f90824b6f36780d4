"""Marshmallow schemas of the auditor API; they are also its part of `openapi.yaml`, and the
console reads its search form with the same filter schema."""
from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range, Regexp

from banking.audit.query import MAX_SEQ, Cursor

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
    before_seq = ma.fields.Integer(validate=Range(1, MAX_SEQ), metadata={
        "description": "only checkpoints below this seq: `next_before_seq` of the previous page"})


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


_HEX64 = Regexp(r"^[0-9a-f]{64}$", error="Must be 64 lowercase hex digits.")
_SIGNED = ("The Ed25519 signature (hex) covers the bytes `couchbank audit checkpoint v1\\n` followed by "
           '`{"at":AT,"head_hash":HASH,"seq":SEQ}` (compact JSON, keys sorted), made with the key '
           "`public_key`; verify it off-host with any Ed25519 library.")


class CheckpointSchema(ma.Schema):
    """A signed checkpoint of the chain head, as listed, logged and kept off-host."""

    seq = ma.fields.Integer(required=True, metadata={"description": "the head's sequence number"})
    hash = ma.fields.String(required=True, metadata={"description": "the hash of the event at `seq`"})
    at = ma.fields.String(required=True, metadata={"format": "date-time", "example": "2025-01-31T09:15:00.000000Z"})
    signature = ma.fields.String(required=True, metadata={"description": _SIGNED})
    key_id = ma.fields.String(required=True, metadata={
        "description": "`ed25519:` and the first 16 hex digits of SHA-256 of the raw public key",
        "example": "ed25519:3f1c0a9b7d2e4c61"})
    public_key = ma.fields.String(required=True, metadata={"description": "the Ed25519 public key, raw, hex"})


class CheckpointListSchema(ma.Schema):
    checkpoints = ma.fields.List(ma.fields.Nested(CheckpointSchema), required=True,
                                 metadata={"description": "newest first"})
    next_before_seq = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "pass as `before_seq` for the next page; null on the last page"})


class KeptCheckpointSchema(ma.Schema):
    """A checkpoint as listed; `key_id` and `public_key` may be left out, and must name this
    service's key when given."""

    seq = ma.fields.Integer(required=True, strict=True, validate=Range(0, MAX_SEQ))
    hash = ma.fields.String(required=True, validate=_HEX64)
    at = ma.fields.String(required=True, validate=Regexp(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$", error="Must be the checkpoint's `at` exactly."))
    signature = ma.fields.String(required=True, validate=Regexp(r"^[0-9a-f]{128}$",
                                                                error="Must be 128 lowercase hex digits."))
    key_id = ma.fields.String(validate=[Length(1, 64), _NO_NUL])
    public_key = ma.fields.String(validate=_HEX64)


class VerifyCheckpointSchema(ma.Schema):
    checkpoint = ma.fields.Nested(KeptCheckpointSchema, required=True, metadata={
        "description": "a checkpoint kept off-host, from `GET /v1/audit/checkpoints` or the checkpoint log"})
