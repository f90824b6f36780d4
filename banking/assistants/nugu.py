"""`POST /v1/assistants/nugu/<action>` (CONTRACT §7.3): a NUGU Play's backend proxy.

The Play's actions name couchbank's actions; its parameters arrive as `{"NAME": {"type",
"value"}}`. The answer's `output` carries `speech` (the backend parameter the Play's
prompt speaks), and the conversation's `status`, `awaiting` and `intent` for the Play's
branches (docs/assistants.md)."""
from __future__ import annotations

import hmac
import json
import uuid
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from banking.assistants import channel
from banking.auth import verification
from banking.core import speech
from banking.core.dialog import Reply
from banking.platform.http import docs
from banking.platform.http.errors import ApiError
from banking.platform.http.parsing import Blueprint, Unfit, loads
from banking.platform.services import Services, current
from banking.platform.store.tables import users

blp = Blueprint("nugu", __name__, url_prefix="/v1/assistants/nugu", description="SK telecom NUGU (Play backend proxy)")

ACTIONS = ("balance", "transactions", "accounts", "payees", "transfer", "pin", "code", "repeat", "help", "cancel",
           "fallback")
LOCALE = "ko-KR"
#: the OpenAPI security scheme of the backend proxy's token
SECURITY_SCHEME = "NuguToken"


def _authorised() -> None:
    expected = current().settings.nugu_token
    given = request.headers.get("Authorization", "")
    # compared whole and in constant time: how much of a guess matched never shows
    if not expected or not hmac.compare_digest(given.encode(), f"token {expected}".encode()):
        raise ApiError(401, "unauthorized", "The Authorization token is missing or wrong.")


def _bad(message: str) -> ApiError:
    return ApiError(400, "bad_request", f"The NUGU request is malformed: {message}.")


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _parameter(parameters: dict[str, Any], name: str) -> str | None:
    found = parameters.get(name)
    if found is None:
        return None
    value = found.get("value") if isinstance(found, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 256:
        raise _bad(f"parameter {name} is not a string value")
    return value


def _text(body: dict[str, Any], *path: str, required: bool = True) -> str | None:
    value = _get(body, *path)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > 512:
        raise _bad(f"{'.'.join(path)} is missing or not a string")
    return value


def answer(result: str, speech_text: str, status: str, awaiting: str | None, intent: str) -> dict[str, Any]:
    return {"version": "2.0", "resultCode": result,
            "output": {"speech": speech_text, "status": status, "awaiting": awaiting or "", "intent": intent},
            "directives": []}


def _locked(services: Services, user_id: str) -> bool:
    with services.db.read() as conn:
        until = conn.execute(select(users.c.locked_until).where(users.c.id == user_id)).scalar_one_or_none()
    return verification.is_locked(until, services.clock())


@blp.route("/<action>", methods=["POST"])
@blp.doc(security=[{SECURITY_SCHEME: []}])
@blp.doc(summary="An action of a NUGU Play, through its backend proxy",
         description="NUGU's backend proxy request (API 2.0) with `Authorization: token <COUCHBANK_NUGU_TOKEN>`; "
                     "answers `{version, resultCode, output: {speech, status, awaiting, intent}, directives}`.",
         responses={"200": {"description": "NUGU's backend proxy response"}})
@docs.errors(blp, {400: "Not a backend proxy request", 401: "Missing or wrong Authorization token",
                   404: "No such action", 413: "Body over 64 KiB", 415: "Not JSON",
                   429: "Too many requests from one assistant device"})
def nugu_action(action: str) -> Response:
    _authorised()
    if action not in ACTIONS:
        raise ApiError(404, "not_found", "No such NUGU action.")
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        body = loads(request.get_data(cache=True))
    except (UnicodeDecodeError, json.JSONDecodeError, Unfit):
        raise _bad("the body is not JSON") from None
    if not isinstance(body, dict):
        raise _bad("the body is not an object")
    parameters = _get(body, "action", "parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise _bad("action.parameters is not an object")
    session = _text(body, "context", "session", "id")
    token = _text(body, "context", "session", "accessToken", required=False)
    device = _text(body, "context", "device", "type")
    parsed, utterance = channel.understand(
        action, LOCALE, amount=_parameter(parameters, "amount"), payee=_parameter(parameters, "payee"),
        bank=_parameter(parameters, "bank"),
        digits=_parameter(parameters, action) if action in ("pin", "code") else None)
    services = current()
    link = channel.find_link(services, token)
    if link is None:
        said = speech.render(LOCALE, "unknown", [Reply("assistant_link")])
        return jsonify(answer("NOT_LINKED", said.speech, "rejected", None, "unknown"))
    heard = channel.Heard(parsed, utterance, LOCALE, session or "", f"{device}:{link.user_id}", uuid.uuid4().hex)
    reply = channel.run(services, link, heard)
    result = "LOCKED" if reply.status == "rejected" and _locked(services, link.user_id) else "OK"
    return jsonify(answer(result, reply.speech, reply.status, reply.awaiting, reply.intent))
