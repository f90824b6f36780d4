"""`GET /v1/notices`: its query and its answer."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from banking.notices.publish import KINDS
from banking.voice.schemas import CardSchema

#: the longest a long poll waits (CONTRACT §8)
MAX_WAIT_S = 25


class NoticeQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    after = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1),
                              metadata={"description": "the id of the last notice the device has; 0 for all kept"})
    wait = ma.fields.Float(load_default=0, allow_nan=False, validate=validate.Range(min=0, max=MAX_WAIT_S),
                           metadata={"description": "seconds to wait for a notice when there is none yet "
                                                    f"(long polling), 0 to {MAX_WAIT_S}"})


class NoticeSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 42})
    at = ma.fields.DateTime(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    speech = ma.fields.String(required=True)
    card = ma.fields.Nested(CardSchema, required=True)
    transfer_id = ma.fields.String(required=True, allow_none=True)


class NoticeListSchema(ma.Schema):
    notices = ma.fields.List(ma.fields.Nested(NoticeSchema), required=True)
