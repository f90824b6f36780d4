"""The channel layer: what every assistant platform shares once its request is proven.

A channel (Alexa, NUGU, the next one) turns its platform's request into `Heard`: the same
understanding (`banking.core.nlu.Parse`) the device channel's NLU makes of text, the
platform's session and device, and the access token of the linked account. `run` then takes
the same turn as `POST /v1/voice/turn` does, and the channel maps the `TurnReply` back into
its platform's response. Adding an assistant is one module that makes `Heard` and answers in
its platform's shape, and one line in `wiring.py`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import g

from banking.assistants.oauth import store
from banking.auth import device_auth
from banking.core import banks
from banking.core.nlu import Parse, Slots, parse
from banking.platform.security import crypto
from banking.platform.services import Services
from banking.voice.repository import SqlTurnUnitOfWork
from banking.voice.turn import TurnReply, handle_turn


@dataclass(frozen=True)
class Heard:
    """A platform's request in couchbank's terms."""

    parse: Parse
    #: what the audit trail keeps of the request: the platform's intent and the slots that
    #: are no secret (never a PIN or code, whatever slot it came in)
    utterance: str
    locale: str
    #: the platform's ids: its session keys the conversation, its device is rate-limited
    session: str
    device: str
    #: one per request (the platform's request id where it has one): the device's nonce
    request_id: str
    #: who spoke, as the platform knows them, for the trail (Alexa's personId)
    speaker: str | None = None


def find_link(services: Services, access_token: str | None) -> store.Link | None:
    """The user a valid, unrevoked access token links; None makes the channel ask to link."""
    if not access_token or len(access_token) > 512:
        return None
    with services.db.read() as conn:
        return store.find_link(conn, services, access_token)


def device_key(link: store.Link, platform_device: str) -> str:
    """An assistant device as couchbank knows it: the linked client's name and a digest of
    the platform's device id (too long, and the platform's, to store as is)."""
    return f"{link.client_id}:{hashlib.sha256(platform_device.encode()).hexdigest()[:40]}"


def conversation_id(services: Services, link: store.Link, device: str, session: str) -> str:
    """The conversation a platform session keys: derived from the channel, the user, the
    device and the platform's session id under a secret key, so no platform session (of
    this platform or another) can name, let alone read, another's conversation."""
    digest = crypto.keyed_hash(store.pepper(services.keys), "assistant-session", link.client_id, link.user_id,
                               device, session)
    return "a_" + digest[:40]


def run(services: Services, link: store.Link, heard: Heard) -> TurnReply:
    """The same turn a device's utterance takes, in a unit of work that spends the request's
    id for the assistant device (rate limit and replay, like a device's nonce)."""
    device = device_key(link, heard.device)
    work = device_auth.assistant_unit_of_work(services, device, _nonce(heard.request_id))
    try:
        session = conversation_id(services, link, device, heard.session)
        reply = handle_turn(services, SqlTurnUnitOfWork(work, services), user_id=link.user_id, device_id=device,
                            request_id=g.get("request_id"), utterance=heard.utterance, session_id=session,
                            locale=heard.locale, parsed=heard.parse, start_as=session, speaker=heard.speaker)
        work.finish()
    finally:
        work.close()
    return reply


def admit(services: Services, link: store.Link, platform_device: str, request_id: str) -> None:
    """Spend the request's id for its assistant device when no turn runs (Alexa's launch):
    rate limit and replay hold for every request, not only for turns."""
    work = device_auth.assistant_unit_of_work(services, device_key(link, platform_device), _nonce(request_id))
    try:
        work.finish()
    finally:
        work.close()


def _nonce(request_id: str) -> str:
    return hashlib.sha256(request_id.encode()).hexdigest()[:48]


def speaker_digest(person: str | None) -> str | None:
    """A platform's person id as the trail keeps it: stable, short, and not the platform's id."""
    return None if not person else "person:" + hashlib.sha256(person.encode()).hexdigest()[:24]


#: what a channel's intents come down to: the device channel's intents, plus the spoken
#: factors, the answers and the conversation commands its NLU reads out of text
ACTIONS = frozenset({"balance", "transactions", "accounts", "payees", "transfer", "pin", "code", "repeat",
                     "help", "cancel", "fallback", "yes", "no"})
_MAX_AMOUNT = 10 ** 15


def _digits(value: str | None, width: int = 0) -> str | None:
    if value is None:
        return None
    value = value.replace(" ", "")
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return value.zfill(width)


def _amount(value: str | None) -> int | None:
    digits = _digits(value)
    return int(digits) if digits is not None and 0 < int(digits) < _MAX_AMOUNT else None


def understand(action: str, locale: str, *, amount: str | None = None, payee: str | None = None,
               bank: str | None = None, digits: str | None = None) -> tuple[Parse, str]:
    """The `Parse` the NLU would have made of the words behind a platform's intent and
    slots, and what the trail keeps of the request (no digits of a PIN or code ever)."""
    said = action
    if action in ("pin", "code"):
        spoken = _digits(digits, 6 if action == "code" else 0)
        return Parse(text=said, locale=locale, intent="unknown", digits=spoken), said
    if action in ("yes", "no"):
        return Parse(text=said, locale=locale, intent="unknown", yes_no=action == "yes"), said
    if action == "repeat":
        return Parse(text=said, locale=locale, intent="unknown", command="repeat"), said
    intent = {"fallback": "unknown"}.get(action, action)
    code = bank_code(bank)
    name = payee.strip()[:64] if payee and payee.strip() else None
    value = _amount(amount) if intent == "transfer" else None
    if intent not in ("transfer", "transactions", "payees"):
        name = None
    slots = Slots(amount=value, payee=name, bank=code if intent in ("transfer", "balance", "transactions") else None)
    shown = " ".join(f"{k}={v}" for k, v in (("amount", value), ("payee", name), ("bank", slots.bank)) if v is not None)
    return Parse(text=said, locale=locale, intent=intent, slots=slots), f"{said} {shown}".strip()


def bank_code(said: str | None) -> str | None:
    """An installed bank's code from a platform's value: the code itself (a resolved slot),
    or a bank's name as people say it, read as the NLU reads it."""
    if not said or len(said) > 64:
        return None
    if said in banks.installed().codes:
        return said
    return parse(said).slots.bank


def reprompt_key(awaiting: str | None) -> str | None:
    """The reply that asks again for what the conversation awaits."""
    return f"assistant_reprompt_{awaiting}" if awaiting in ("pin", "otp", "amount", "payee", "bank") else None
