"""POST /v1/voice/turn (CONTRACT §4)."""
from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from banking.auth import device_auth
from banking.platform.http import docs
from banking.platform.http.parsing import Blueprint
from banking.platform.services import current
from banking.voice.repository import SqlTurnUnitOfWork
from banking.voice.schemas import VoiceTurnRequestSchema, VoiceTurnResponseSchema
from banking.voice.turn import handle_turn

blp = Blueprint("voice", __name__, url_prefix="/v1/voice", description="Voice turns from devices")
blp.before_request(device_auth.authenticate_device)
blp.after_request(device_auth.spend_unspent_nonce)
blp.teardown_request(device_auth.forget_request_state)

@blp.route("/turn", methods=["POST"])
@blp.doc(security=docs.DEVICE_SECURITY)
@blp.arguments(VoiceTurnRequestSchema(), example={"utterance": "엄마한테 5만원 보내줘", "session_id": None, "locale": "ko-KR"})
@blp.response(200, VoiceTurnResponseSchema, example={
    "session_id": "s_5b2f0c1e9d8a4b7c", "intent": "transfer",
    "slots": {"amount": 50000, "payee": "엄마", "bank": "kbank"}, "status": "in_progress", "awaiting": "pin",
    "speech": "케이뱅크 계좌에서 엄마님(우리은행 ***-***-4321)에게 5만 원을 보낼까요? 맞으면 음성 PIN 번호를 말씀해 주세요.",
    "ssml": "<speak>케이뱅크 계좌에서 엄마님(우리은행 끝자리 <say-as interpret-as=\"digits\">4321</say-as>)에게 "
            "<say-as interpret-as=\"cardinal\">50000</say-as>원을 보낼까요? 맞으면 음성 PIN 번호를 말씀해 주세요.</speak>",
    "card": {"title": "송금", "lines": ["케이뱅크 계좌에서 엄마님(우리은행 ***-***-4321)에게 5만 원을 보낼까요?"]},
    "data": None})
@docs.errors(blp, docs.DEVICE_ERRORS | docs.BODY_ERRORS)
def turn(body: dict[str, Any]) -> Response:
    """One turn of a conversation: the device's recognised text in, speech and a card out."""
    services = current()
    reply = handle_turn(services, SqlTurnUnitOfWork(device_auth.unit_of_work(), services),
                        user_id=g.user_id, device_id=g.device_id, request_id=g.get("request_id"),
                        utterance=body["utterance"], session_id=body.get("session_id"), locale=body.get("locale"))
    # a TurnReply has exactly the response schema's fields: the schema documents the reply
    # (and the contract tests hold the reply to it), but dumping it again would copy it as is
    return jsonify(reply.to_json())
