"""Documenting error responses with the error envelope, for the generated spec."""
from __future__ import annotations

from typing import Any, Callable

from flask_smorest import Blueprint

from banking.platform.http.errors import ErrorSchema

#: the four device headers are required together (one security requirement, four schemes)
DEVICE_SECURITY = [{"DeviceId": [], "DeviceTimestamp": [], "DeviceNonce": [], "DeviceSignature": []}]
AUDITOR_SECURITY = [{"AuditorToken": []}]

DEVICE_ERRORS = {
    401: "Missing or wrong signature, unknown device, stale timestamp or reused nonce",
    403: "An auditor token on a device route",
    429: "Too many requests from one device",
}
BODY_ERRORS = {400: "Malformed JSON", 413: "Body over 64 KiB", 415: "Not JSON",
               422: "Well-formed JSON that breaks the schema (fields names each bad field)"}


def late_examples(converter: Any, field: Any, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: an example given as a callable depends on what is
    installed (the partner banks) and is made when the spec is."""
    example = field.metadata.get("example")
    return {"example": example()} if callable(example) else {}


def errors(blp: Blueprint, described: dict[int, str]) -> Callable[[Any], Any]:
    def decorate(view: Any) -> Any:
        for status, description in sorted(described.items()):
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view
    return decorate
