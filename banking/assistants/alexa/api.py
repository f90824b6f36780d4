"""`POST /v1/assistants/alexa` (CONTRACT §7.2): Amazon's proof first, then the same turn."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, jsonify, request

from banking.assistants import channel
from banking.assistants.alexa import envelope as alexa
from banking.assistants.alexa.envelope import Malformed
from banking.assistants.alexa.verify import Refused, Verifier
from banking.core import speech
from banking.core.dialog import Reply
from banking.platform.http import docs
from banking.platform.http.errors import ApiError
from banking.platform.http.parsing import Blueprint
from banking.platform.services import current

blp = Blueprint("alexa", __name__, url_prefix="/v1/assistants", description="Amazon Alexa (custom skill)")

#: Alexa's intents (the shipped interaction model) as the channel's actions
INTENTS = {
    "BalanceIntent": "balance", "TransactionsIntent": "transactions", "AccountsIntent": "accounts",
    "PayeesIntent": "payees", "TransferIntent": "transfer", "PinIntent": "pin", "CodeIntent": "code",
    "RepeatIntent": "repeat", "AMAZON.HelpIntent": "help", "AMAZON.CancelIntent": "cancel",
    "AMAZON.StopIntent": "cancel", "AMAZON.YesIntent": "yes", "AMAZON.NoIntent": "no",
    "AMAZON.FallbackIntent": "fallback",
}


def _verifier() -> Verifier:
    verifier: Verifier = current_app.extensions["couchbank.alexa"]
    return verifier


def _refused(message: str) -> ApiError:
    return ApiError(400, "unverified_request", f"The request is not a verified Alexa request: {message}.")


@blp.route("/alexa", methods=["POST"])
@blp.doc(summary="A request from Amazon Alexa, verified by Amazon's rules for skills hosted as web services",
         description="Alexa's request envelope, signed (`SignatureCertChainUrl`, `Signature-256`); answers "
                     "Alexa's response envelope (docs/assistants.md).",
         responses={"200": {"description": "Alexa's response envelope"}})
@docs.errors(blp, {400: "Not a verified Alexa request (certificate URL or chain, signature, timestamp, skill id), "
                        "or a malformed envelope; nothing changed",
                   413: "Body over 64 KiB", 429: "Too many requests from one assistant device"})
def alexa_request() -> Response:
    body = request.get_data(cache=True)  # 413 past the body limit
    try:
        envelope = _verifier().verify(request.headers, body, dt.datetime.now(dt.UTC))
    except Refused as exc:
        raise _refused(str(exc)) from None
    try:
        return jsonify(_answer(envelope))
    except Malformed as exc:
        raise ApiError(400, "bad_request", f"The Alexa request is malformed: {exc}.") from None


def _answer(envelope: dict[str, Any]) -> dict[str, Any]:
    services = current()
    kind = alexa.request_type(envelope)
    if kind == "SessionEndedRequest":
        return alexa.response(None)  # Alexa takes no speech here
    locale = alexa.locale(envelope)
    link = channel.find_link(services, alexa.access_token(envelope))
    if link is None:
        said = speech.render(locale, "unknown", [Reply("assistant_link")])
        return alexa.response(said.ssml, card={"type": "LinkAccount"}, end=True)
    if kind == "LaunchRequest":
        channel.admit(services, link, alexa.device_id(envelope), alexa.request_id(envelope))
        said = speech.render(locale, "unknown", [Reply("assistant_greeting")])
        return alexa.response(said.ssml, card=_card(said.card), reprompt=said.ssml, end=False)
    if kind != "IntentRequest":
        raise Malformed(f"request.type {kind} is not handled")
    action = INTENTS.get(alexa.intent_name(envelope), "fallback")
    amount, _ = alexa.slot(envelope, "amount")
    payee, payee_id = alexa.slot(envelope, "payee")
    bank, bank_id = alexa.slot(envelope, "bank")
    pin, _ = alexa.slot(envelope, "pin")
    code, _ = alexa.slot(envelope, "code")
    parsed, utterance = channel.understand(action, locale, amount=amount, payee=payee_id or payee,
                                           bank=bank_id or bank, digits=pin if action == "pin" else code)
    heard = channel.Heard(parsed, utterance, locale, alexa.session_id(envelope), alexa.device_id(envelope),
                          alexa.request_id(envelope), channel.speaker_digest(alexa.person_id(envelope)))
    reply = channel.run(services, link, heard)
    again = channel.reprompt_key(reply.awaiting) if reply.status == "in_progress" else None
    reprompt = speech.render(locale, reply.intent, [Reply(again)]).ssml if again else None
    return alexa.response(reply.ssml, card=_card(reply.card), reprompt=reprompt, end=reply.status != "in_progress")


def _card(card: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Simple", "title": card["title"], "content": "\n".join(card["lines"])}
