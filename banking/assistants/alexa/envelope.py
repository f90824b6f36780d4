"""The Alexa request envelope, read into the few fields couchbank uses (the request's type,
intent and slots, session, device, user, person, locale, timestamp, application), and the
response envelope. Every accessor checks the type of what it reads: a malformed envelope
is a `Malformed`, answered 400, never an exception of Python's."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from banking.platform.http.parsing import Unfit, loads

REQUEST_TYPES = ("LaunchRequest", "IntentRequest", "SessionEndedRequest")


class Malformed(Exception):
    """An envelope without what Alexa always sends; the message says what is missing."""


def load(body: bytes) -> dict[str, Any]:
    try:
        envelope = loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, Unfit):
        raise Malformed("the body is not a JSON request envelope") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
        raise Malformed("the body is not a JSON request envelope")
    return envelope


def _at(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _text(envelope: dict[str, Any], *path: str, required: bool = True, limit: int = 1024) -> str | None:
    value = _at(envelope, *path)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise Malformed(f"{'.'.join(path)} is missing or not a string")
    return value


def timestamp(envelope: dict[str, Any]) -> dt.datetime:
    value = _at(envelope, "request", "timestamp")
    try:
        if isinstance(value, str) and len(value) <= 40:
            at = dt.datetime.fromisoformat(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            at = dt.datetime.fromtimestamp(value / 1000, dt.UTC)  # some SDKs send epoch milliseconds
        else:
            raise ValueError
    except (ValueError, OverflowError, OSError):
        raise Malformed("request.timestamp is missing or not a time") from None
    if at.tzinfo is None:
        raise Malformed("request.timestamp has no time zone")
    return at


def application_id(envelope: dict[str, Any]) -> str:
    found = _at(envelope, "context", "System", "application", "applicationId")
    if found is None:
        found = _at(envelope, "session", "application", "applicationId")
    if not isinstance(found, str) or not found:
        raise Malformed("the application id is missing")
    return found


def request_type(envelope: dict[str, Any]) -> str:
    kind = _text(envelope, "request", "type", limit=64)
    return kind if kind in REQUEST_TYPES else "Unsupported"


def request_id(envelope: dict[str, Any]) -> str:
    return _text(envelope, "request", "requestId", limit=256) or ""


def locale(envelope: dict[str, Any]) -> str:
    said = _at(envelope, "request", "locale")
    return "ko-KR" if said == "ko-KR" else "en-US"


def session_id(envelope: dict[str, Any]) -> str:
    return _text(envelope, "session", "sessionId", limit=256) or ""


def device_id(envelope: dict[str, Any]) -> str:
    return _text(envelope, "context", "System", "device", "deviceId", limit=512) or ""


def access_token(envelope: dict[str, Any]) -> str | None:
    token = _at(envelope, "context", "System", "user", "accessToken")
    if token is None:
        token = _at(envelope, "session", "user", "accessToken")
    return token if isinstance(token, str) and token else None


def person_id(envelope: dict[str, Any]) -> str | None:
    person = _at(envelope, "context", "System", "person", "personId")
    return person if isinstance(person, str) and person and len(person) <= 512 else None


def intent_name(envelope: dict[str, Any]) -> str:
    return _text(envelope, "request", "intent", "name", limit=128) or ""


def slot(envelope: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    """A slot's value as heard and, for custom types, the id entity resolution matched."""
    found = _at(envelope, "request", "intent", "slots", name)
    if not isinstance(found, dict):
        return None, None
    value = found.get("value")
    value = value if isinstance(value, str) and value and len(value) <= 256 else None
    resolved = None
    authorities = _at(found, "resolutions", "resolutionsPerAuthority")
    if isinstance(authorities, list):
        for authority in authorities:
            if _at(authority, "status", "code") != "ER_SUCCESS_MATCH":
                continue
            values = _at(authority, "values")
            if isinstance(values, list) and values:
                ident = _at(values[0], "value", "id")
                if isinstance(ident, str) and ident and len(ident) <= 128:
                    resolved = ident
                    break
    return value, resolved


def response(ssml: str | None, *, card: dict[str, Any] | None = None, reprompt: str | None = None,
             end: bool | None = None, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if ssml is not None:
        body["outputSpeech"] = {"type": "SSML", "ssml": ssml}
    if card is not None:
        body["card"] = card
    if reprompt is not None:
        body["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": reprompt}}
    if end is not None:
        body["shouldEndSession"] = end
    return {"version": "1.0", "sessionAttributes": attributes or {}, "response": body}
