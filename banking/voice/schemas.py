"""Request and response bodies of the device API; the OpenAPI spec is generated from these."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from banking.core import banks

LOCALES = ("ko-KR", "en-US")
INTENTS = ("balance", "transfer", "transactions", "accounts", "help", "cancel", "unknown", "payees")
STATUSES = ("in_progress", "completed", "cancelled", "rejected", "failed")
AWAITING = ("amount", "payee", "bank", "pin", "otp")
TRANSFER_STATUSES = ("pending", "completed", "failed", "held", "cancelled")


#: a recogniser never sends control characters: C0 (NUL cannot even be stored in PostgreSQL
#: text), DEL and C1 (CONTRACT, second revision, §4); tab, newline and carriage return are
#: whitespace and pass. Also in the spec, as `pattern`.
NO_CONTROL_CHARACTERS = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
                                        error="Must not contain control characters.")


def valid_unicode(value: str) -> None:
    """JSON can carry a lone UTF-16 surrogate (\\ud800) that no UTF-8 text can: refuse it here
    rather than fail where the text is stored. (Not expressible as an OpenAPI pattern.)"""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ma.ValidationError("Must be valid Unicode text (no lone surrogates).") from exc


TEXT_RULES = (NO_CONTROL_CHARACTERS, valid_unicode)


class InstalledBank(validate.Validator):
    """An installed partner's code (CONTRACT §10). The codes are read when a value is checked
    and when the spec is made (apispec reads `choices`), so the enum is the banks installed
    at start-up."""

    error = "Must be one of: {choices}."

    @property
    def choices(self) -> tuple[str, ...]:
        return banks.installed().codes

    def __call__(self, value: Any) -> Any:
        if value not in banks.installed():
            raise ma.ValidationError(self.error.format(choices=", ".join(self.choices)))
        return value


def _first_bank() -> str | None:
    return next(iter(banks.installed().codes), None)


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class VoiceTurnRequestSchema(StrictSchema):
    utterance = ma.fields.String(required=True, validate=[validate.Length(min=1, max=500), *TEXT_RULES],
                                 metadata={"example": "엄마한테 5만원 보내줘",
                                           "description": "the recognised text: 1 to 500 characters, no "
                                           "control characters other than tab and line breaks, valid Unicode"})
    session_id = ma.fields.String(load_default=None, allow_none=True,
                                  validate=[validate.Length(min=1, max=64), *TEXT_RULES],
                                  metadata={"description": "null or absent starts a conversation"})
    locale = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES),
                              metadata={"description": "null or absent: detected from the utterance"})


class SlotsSchema(ma.Schema):
    amount = ma.fields.Integer(required=True, allow_none=True, metadata={"example": 50000})
    payee = ma.fields.String(required=True, allow_none=True, metadata={"example": "엄마"})
    bank = ma.fields.String(required=True, allow_none=True, validate=InstalledBank(),
                            metadata={"example": _first_bank})


class CardSchema(ma.Schema):
    title = ma.fields.String(required=True, metadata={"example": "송금"})
    lines = ma.fields.List(ma.fields.String(), required=True)


class VoiceTurnResponseSchema(ma.Schema):
    session_id = ma.fields.String(required=True)
    intent = ma.fields.String(required=True, validate=validate.OneOf(INTENTS))
    slots = ma.fields.Nested(SlotsSchema, required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    awaiting = ma.fields.String(required=True, allow_none=True, validate=validate.OneOf(AWAITING))
    speech = ma.fields.String(required=True)
    ssml = ma.fields.String(required=True)
    card = ma.fields.Nested(CardSchema, required=True)
    data = ma.fields.Dict(required=True, allow_none=True, metadata={
        "description": "balance: {accounts: [{bank, name, number_masked, balance, currency}]}; "
        "transfer: {transfer_id, status, amount, payee, bank}; transactions: {transactions: "
        "[{bank, at, amount, counterparty, balance_after}]} or, for the month's totals, {summary: {spent, "
        "received, from, until}}; accounts: {accounts: [{bank, name, number_masked, primary}]}; payees: "
        "{payees: [{name, bank, number_masked}]}"})


class TransferSchema(ma.Schema):
    transfer_id = ma.fields.String(required=True, metadata={"example": "tr_3f2c0e6b9a6f4c1d8e0f1a2b3c4d5e6f"})
    status = ma.fields.String(required=True, validate=validate.OneOf(TRANSFER_STATUSES))
    amount = ma.fields.Integer(required=True, metadata={"example": 50000})
    payee = ma.fields.String(required=True, metadata={"example": "엄마"})
    bank = ma.fields.String(required=True, validate=InstalledBank(),
                            metadata={"description": "the bank of the account the money left from"})
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class TransferListSchema(ma.Schema):
    transfers = ma.fields.List(ma.fields.Nested(TransferSchema), required=True)


class TransferListQuerySchema(StrictSchema):
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
