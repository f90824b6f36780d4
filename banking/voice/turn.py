"""One voice turn, end to end: load the conversation, understand the utterance, check a
spoken PIN or code when the conversation awaits one, let the dialog decide, do the banking,
save the conversation (optimistic concurrency) with its audit events, and render the reply.

Transactions never span a partner call: reads happen before the save, and a transfer is
written down as pending (with the conversation that authorised it) before the bank hears of
it.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import functools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from banking.audit.trail import Actor
from banking.auth import verification
from banking.core import dialog, speech
from banking.core.dialog import Decision, Facts, Limits, Reply, State
from banking.core.nlu import Parse, parse
from banking.core.nlu.redact import redact_digits
from banking.core.payee_match import Payee
from banking.platform import metrics
from banking.platform.partners import CallLog, PartnerCall
from banking.platform.pools import PoolFull
from banking.platform.security import account_numbers
from banking.platform.services import Services
from banking.platform.store import FIRST_WRITE, insert_ignore
from banking.platform.store.direct import Direct
from banking.platform.store.tables import accounts, payees, sessions, transfers as transfers_table, users
from banking.transfers import service as transfers
from banking.voice import reads

# Built once: on the hot path, constructing a Core statement costs more than running it, and
# each runs on the driver's cursor (`banking.platform.store.direct`)
# a conversation belongs to the device that started it: another device (even the same
# user's) naming its id starts a new one
_SESSION = Direct(select(sessions).where(sessions.c.id == bindparam("id"),
                                         sessions.c.user_id == bindparam("user_id"),
                                         sessions.c.device_id == bindparam("device_id")))
_USER = Direct(select(users).where(users.c.id == bindparam("user_id")))
_PAYEES = Direct(select(payees).where(payees.c.user_id == bindparam("user_id")).order_by(payees.c.id))
_ACCOUNTS = Direct(select(accounts).where(accounts.c.user_id == bindparam("user_id"))
                   .order_by(accounts.c.is_primary.desc(), accounts.c.id))
_UPDATE_SESSION = Direct(update(sessions)
                         .where(sessions.c.id == bindparam("session_id"),
                                sessions.c.version == bindparam("seen_version"))
                         .values(version=bindparam("new_version"), state=bindparam("state"),
                                 updated_at=bindparam("updated_at"), verified_until=bindparam("verified_until")))
_REMEMBER_LOCALE = update(users).where(users.c.id == bindparam("user_id")).values(locale=bindparam("locale"))


@dataclass(frozen=True)
class TurnReply:
    session_id: str
    intent: str
    slots: dict[str, Any]
    status: str
    awaiting: str | None
    speech: str
    ssml: str
    card: dict[str, Any]
    data: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        # shallow: the nested values are fresh per turn, and asdict's deep copy is not free
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass
class Conversation:
    id: str
    user_id: str
    device_id: str
    state: State
    version: int | None  # None: not yet in the database
    verified: bool
    notes: tuple[Reply, ...] = ()
    #: the language of the user's last turn, as stored (`users.locale`)
    user_locale: str = ""


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def load_conversation(conn: Connection, services: Services, user_id: str, device_id: str,
                      session_id: str | None, now: dt.datetime) -> Conversation:
    row = None
    if session_id:
        row = _SESSION.first(conn, {"id": session_id, "user_id": user_id, "device_id": device_id})
    if row is None:
        return Conversation("s_" + uuid.uuid4().hex, user_id, device_id, State(), None, False)
    idle = services.settings.session_idle_s
    if _aware(row.updated_at) < now - dt.timedelta(seconds=idle):  # type: ignore[operator]
        return Conversation(row.id, user_id, device_id, State(), row.version, False, (Reply("expired"),))
    state = State.from_json(json.loads(row.state))
    verified_until = _aware(row.verified_until)
    verified = verified_until is not None and verified_until > now
    if state.finished:
        state = State(locale=state.locale)
    return Conversation(row.id, user_id, device_id, state, row.version, verified)


def load_facts(conn: Connection, user_id: str, now: dt.datetime, verified: bool,
               transfer: bool) -> tuple[Facts, Any]:
    """What the dialog needs to decide; the payees and today's usage only for a transfer
    (`dialog.concerns_transfer`)."""
    params = {"user_id": user_id}
    user = _USER.one(conn, params)
    payee_rows = _PAYEES.all(conn, params) if transfer else ()
    account_rows = _ACCOUNTS.all(conn, params)
    locked = verification.is_locked(user.locked_until, now)
    facts = Facts(
        payees=tuple(Payee(p.name, tuple(json.loads(p.aliases)), p.bank, p.last4, p.number_enc)
                     for p in payee_rows),
        banks=tuple(a.bank for a in account_rows),
        primary_bank=next((a.bank for a in account_rows if a.is_primary), None),
        limits=Limits(user.otp_threshold, user.per_transfer_limit, user.daily_limit,
                      transfers.used_today(conn, user_id, now) if transfer else 0),
        verified=verified and not locked,
        locked=locked,
        has_otp=user.totp_secret_enc is not None,
    )
    return facts, (user, account_rows)


def redact(utterance: str, parsed: Parse, checked: str | None) -> str:
    if checked:
        return f"[{checked}]"
    if parsed.digits is not None:
        return "[digits]"
    # a PIN said along with the request, an account number: whatever the conversation awaited
    return redact_digits(utterance)[:500]


def handle_turn(services: Services, *, user_id: str, device_id: str, request_id: str | None,
                utterance: str, session_id: str | None, locale: str | None) -> TurnReply:
    with CallLog() as calls:
        return _turn(services, calls, user_id, device_id, request_id, utterance, session_id, locale)


def _turn(services: Services, calls: CallLog, user_id: str, device_id: str, request_id: str | None,
          utterance: str, session_id: str | None, locale: str | None) -> TurnReply:
    started = time.monotonic()
    now = services.clock()
    parsed = parse(utterance, locale)
    with services.db.read() as conn:
        convo = load_conversation(conn, services, user_id, device_id, session_id, now)
        facts, (user, account_rows) = load_facts(conn, user_id, now, convo.verified,
                                                 dialog.concerns_transfer(convo.state, parsed))
    convo.user_locale = user.locale
    actor = Actor(user_id=user_id, device_id=device_id, session_id=convo.id, request_id=request_id)
    calls.on_late = functools.partial(_audit_late_call, services, actor)
    state = convo.state
    if state.task is None:
        state = dataclasses.replace(state, locale=locale or _spoken_locale(utterance, parsed, convo))
    elif locale:
        state = dataclasses.replace(state, locale=locale)

    checked = dialog.needs_check(state, parsed)
    if checked == "pin":
        facts = dataclasses.replace(facts, pin=verification.check_pin(services, user_id, parsed.digits or "", actor))
    elif checked == "otp":
        facts = dataclasses.replace(facts, otp=verification.check_otp(services, user_id, parsed.digits or "", actor))

    decision = dialog.decide(state, parsed, facts)
    locked = facts.locked or facts.pin == "locked" or any(r.key == "locked" for r in decision.replies)
    verified = not locked and (convo.verified or "verify_session" in decision.actions)

    replies = list(convo.notes) + list(decision.replies)
    card_lines: list[str] = []
    data: dict[str, Any] | None = None
    new_state = decision.state
    loc = new_state.locale

    if "read" in decision.actions:
        try:
            result = reads.perform(services, calls, new_state.task or "balance", new_state.bank,
                                   account_rows, loc, _budget_left(services, started))
            replies += result.replies
            card_lines, data = result.card_lines, result.data
        except reads.BankUnavailable as exc:
            replies.append(Reply("partner_unavailable", {"bank": exc.bank}))
            new_state = dataclasses.replace(new_state, status="failed")

    if "transfer" in decision.actions:
        outcome = _transfer(services, convo, new_state, decision, facts, user, account_rows, actor, verified,
                            now, utterance, parsed, checked, calls, started)
        if outcome is None:
            return _busy(services, convo, actor, parsed, utterance, checked)
        new_state, extra, data = outcome
        replies += extra
    else:
        saved = _save(services, convo, new_state, verified, now, actor,
                      _turn_event(decision, new_state, parsed, utterance, checked), calls)
        if not saved:
            return _busy(services, convo, actor, parsed, utterance, checked)

    rendered = speech.render(loc, decision.intent, replies, card_lines)
    metrics.TURNS.labels(decision.intent, new_state.status).inc()
    metrics.TURN_SECONDS.observe(time.monotonic() - started)
    return TurnReply(
        session_id=convo.id, intent=decision.intent,
        slots={"amount": new_state.amount, "payee": new_state.payee, "bank": new_state.bank},
        status=new_state.status, awaiting=new_state.awaiting,
        speech=rendered.speech, ssml=rendered.ssml, card=rendered.card, data=data,
    )


def _spoken_locale(utterance: str, parsed: Parse, convo: Conversation) -> str:
    """The utterance's language; digits alone (`4 8 2 6`) have none, so they keep the
    conversation's, or else the user's last one."""
    if any(ch.isalpha() for ch in utterance):
        return parsed.locale
    if convo.version is not None and not convo.notes:
        return convo.state.locale
    return convo.user_locale or parsed.locale


def _audit_late_call(services: Services, actor: Actor, call: PartnerCall) -> None:
    """A partner call that finished after its turn had answered is still an event. It runs
    in the thread that made the call, which carries the request's context: the request's
    first-write step (its nonce) is not this write's to take."""
    token = FIRST_WRITE.set(None)
    try:
        with services.db.begin() as conn:
            services.audit.append(conn, call.audit_type, call.audit_detail(), actor)
    finally:
        FIRST_WRITE.reset(token)


def _budget_left(services: Services, started: float) -> float:
    return max(0.1, services.settings.turn_budget_s - (time.monotonic() - started))


def _turn_event(decision: Decision, state: State, parsed: Parse, utterance: str,
                checked: str | None) -> dict[str, Any]:
    return {"intent": decision.intent, "status": state.status, "awaiting": state.awaiting,
            "utterance": redact(utterance, parsed, checked), "locale": state.locale,
            "amount": state.amount, "payee": state.payee, "bank": state.bank}


def _write_session(conn: Connection, convo: Conversation, state: State, verified: bool,
                   now: dt.datetime, idle_s: int) -> bool:
    """Insert or update the conversation; False when another turn changed it first."""
    values = {"state": json.dumps(state.to_json(), ensure_ascii=False), "updated_at": now,
              "verified_until": now + dt.timedelta(seconds=idle_s) if verified else None}
    if state.locale != convo.user_locale:
        conn.execute(_REMEMBER_LOCALE, {"user_id": convo.user_id, "locale": state.locale})
    if convo.version is None:
        return insert_ignore(conn, sessions, {"id": convo.id, "user_id": convo.user_id,
                                              "device_id": convo.device_id, "version": 1,
                                              "created_at": now, **values})
    return _UPDATE_SESSION.execute(conn, {"session_id": convo.id, "seen_version": convo.version,
                                          "new_version": convo.version + 1, **values}) == 1


class _Conflict(Exception):
    """Another turn on the same conversation won the race; roll this one back."""


def _save(services: Services, convo: Conversation, state: State, verified: bool, now: dt.datetime,
          actor: Actor, event: dict[str, Any], calls: CallLog) -> bool:
    # drained (and so logged) before the write lock is taken, not while it is held
    events = [*transfers.call_events(calls, actor), ("turn", event, actor)]
    try:
        with services.db.begin() as conn:
            if not _write_session(conn, convo, state, verified, now, services.settings.session_idle_s):
                raise _Conflict
            services.audit.append_many(conn, events)
    except _Conflict:
        return False
    return True


def _busy(services: Services, convo: Conversation, actor: Actor, parsed: Parse, utterance: str,
          checked: str | None) -> TurnReply:
    """The reply to a turn that lost a race on its conversation (a double-submitted PIN, a
    device retry): nothing of it is applied; the conversation as the winner left it stands."""
    with services.db.read() as conn:
        row = conn.execute(select(sessions.c.state).where(sessions.c.id == convo.id)).scalar_one()
    state = State.from_json(json.loads(row))
    with services.db.begin() as conn:
        services.audit.append(conn, "turn", {"intent": state.task or "unknown", "status": "conflict",
                                             "utterance": redact(utterance, parsed, checked)}, actor)
    rendered = speech.render(state.locale, state.task or "unknown", [Reply("busy")])
    return TurnReply(convo.id, state.task or "unknown",
                     {"amount": state.amount, "payee": state.payee, "bank": state.bank},
                     state.status, state.awaiting, rendered.speech, rendered.ssml, rendered.card, None)


def _transfer(services: Services, convo: Conversation, state: State, decision: Decision, facts: Facts,
              user: Any, account_rows: Any, actor: Actor, verified: bool, now: dt.datetime, utterance: str,
              parsed: Parse, checked: str | None, calls: CallLog,
              started: float) -> tuple[State, list[Reply], dict[str, Any] | None] | None:
    """Reserve, send and report a transfer the dialog authorised. None when another turn on
    the same conversation got there first (then nothing was reserved or sent)."""
    facts_payee = next((p for p in facts.payees if p.name == state.payee), None)
    source = next((a for a in account_rows if a.bank == state.bank), None)
    if facts_payee is None or source is None or state.amount is None:
        rejected = dataclasses.replace(state, status="rejected")
        if not _save(services, convo, rejected, verified, now, actor,
                     _turn_event(decision, rejected, parsed, utterance, checked), calls):
            return None
        return rejected, [Reply("not_understood")], None
    try:
        with services.db.begin() as conn:
            reserved = transfers.reserve(
                conn, services, user_id=convo.user_id, daily_limit=user.daily_limit,
                from_bank=source.bank, from_account=account_numbers.account_number(services.keys, source),
                payee=facts_payee.name, to_bank=facts_payee.bank,
                to_account=account_numbers.payee_number(services.keys, convo.user_id, facts_payee),
                amount=state.amount, actor=actor)
            if reserved is None:
                final = dataclasses.replace(state, status="rejected")
                extra = [Reply("over_daily", {"limit": user.daily_limit,
                                              "left": max(0, user.daily_limit - transfers.used_today(conn, convo.user_id, now))})]
            else:
                final = dataclasses.replace(state, transfer_id=reserved.id)
                extra = []
            if not _write_session(conn, convo, final, verified, now, services.settings.session_idle_s):
                raise _Conflict
            events = [("transfer.pending", reserved.audit_detail(), actor)] if reserved is not None else []
            services.audit.append_many(conn, [*events, ("turn", _turn_event(decision, final, parsed, utterance,
                                                                            checked), actor)])
    except _Conflict:
        return None
    if reserved is None:
        return final, extra, None
    try:
        future = services.sends.submit(transfers.execute, services, reserved, actor)
        status = future.result(timeout=_budget_left(services, started))
    except (PoolFull, concurrent.futures.TimeoutError):
        # sent later or never, under the exactly-once rule (`banking.transfers.service`); the
        # reconciler settles it either way
        status = "pending"
    data = {"transfer_id": reserved.id, "status": status, "amount": reserved.amount,
            "payee": reserved.payee, "bank": reserved.from_bank}
    if status == "completed":
        return final, [Reply("transfer_completed", {"payee": reserved.payee, "amount": reserved.amount})], data
    if status == "pending":
        return final, [Reply("transfer_pending")], data
    reason = _failure_reason(services, reserved.id)
    return (dataclasses.replace(final, status="failed"),
            [Reply("transfer_failed", {"payee": reserved.payee, "reason": reason})], data)


def _failure_reason(services: Services, transfer_id: str) -> str:
    with services.db.read() as conn:
        return conn.execute(select(transfers_table.c.failure_reason)
                            .where(transfers_table.c.id == transfer_id)).scalar_one() or "rejected"
