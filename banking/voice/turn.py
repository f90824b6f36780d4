"""One voice turn, end to end: load the conversation, understand the utterance, check a
spoken PIN or code when the conversation awaits one, let the dialog decide, do the banking,
save the conversation (optimistic concurrency) with its audit events, and render the reply.

Storage goes through the turn's unit of work (`banking.voice.repository`): the HTTP edge
hands it over with the read transaction it began and the nonce that the turn's first commit
spends. Transactions never span a partner call: reads happen before the save, and a transfer
is written down as pending (with the conversation that authorised it) before the bank hears
of it.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import functools
import time
import uuid
from dataclasses import dataclass
from typing import Any

from adapters.base import AccountUnavailable, PartnerError
from banking import transfers
from banking.audit.trail import Actor, Event
from banking.core import dialog, speech
from banking.core.dialog import Decision, Facts, Reply, State
from banking.core.nlu import Parse, parse
from banking.core.nlu.redact import redact_digits
from banking.platform import metrics
from banking.platform.partners import CallLog, PartnerCall
from banking.platform.pools import PoolFull
from banking.platform.security import account_numbers
from banking.platform.services import Services
from banking.transfers import Transfer
from banking.voice import reads
from banking.voice.repository import Conversation, Known, SavedConversation, TurnRepository, TurnUnitOfWork


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



@dataclass(frozen=True)
class TurnRequest:
    """What a device said, and who it is."""

    user_id: str
    device_id: str
    request_id: str | None
    utterance: str
    session_id: str | None
    locale: str | None
    #: what an assistant channel understood (its platform sends intents and slots, not
    #: text): used instead of parsing `utterance`, which is then only what the trail keeps
    parsed: Parse | None = None
    #: the id a conversation this request starts is stored under: an assistant channel
    #: derives it from its platform's session, which keys the conversation (CONTRACT §7)
    start_as: str | None = None
    #: who spoke, as the assistant platform knows them (Alexa's personId), for the trail
    speaker: str | None = None


@dataclass(frozen=True)
class TurnContext:
    """What every step of a turn reads: who speaks, in which conversation, when, what was
    understood and what is known of the user."""

    utterance: str
    parsed: Parse
    convo: Conversation
    known: Known
    #: the dialog's facts, with this turn's PIN or code check once it ran
    facts: Facts
    #: the conversation's state, in this turn's language
    state: State
    #: what this turn's digits are checked as, if anything
    checked: str | None
    actor: Actor
    now: dt.datetime
    started: float
    speaker: str | None = None


@dataclass(frozen=True)
class Done:
    """What a turn did: the state to keep and what to answer."""

    state: State
    replies: tuple[Reply, ...]
    card_lines: list[str] = dataclasses.field(default_factory=list)
    data: dict[str, Any] | None = None
    #: the reply as rendered and kept with the conversation, for a later `다시 말해줘`; None
    #: when the turn's outcome came after its conversation was saved (a transfer's)
    remembered: TurnReply | None = None


@dataclass(frozen=True)
class Conflict:
    """Another turn on the same conversation won the race: nothing of this one was applied."""


@dataclass(frozen=True)
class Reserved:
    """A transfer written down as pending, with its conversation; `transfer` is None when
    the daily limit refused it."""

    done: Done
    transfer: Transfer | None


def redact(utterance: str, parsed: Parse, checked: str | None) -> str:
    if checked:
        return f"[{checked}]"
    if parsed.digits is not None:
        return "[digits]"
    # a PIN said along with the request, an account number: whatever the conversation awaited
    return redact_digits(utterance)[:500]


def handle_turn(services: Services, uow: TurnUnitOfWork, *, user_id: str, device_id: str,
                request_id: str | None, utterance: str, session_id: str | None,
                locale: str | None, parsed: Parse | None = None, start_as: str | None = None,
                speaker: str | None = None) -> TurnReply:
    request = TurnRequest(user_id, device_id, request_id, utterance, session_id, locale, parsed, start_as, speaker)
    with CallLog() as calls:
        return _turn(services, uow, calls, request)


def _turn(services: Services, uow: TurnUnitOfWork, calls: CallLog, request: TurnRequest) -> TurnReply:
    ctx = _context(services, uow, request)
    calls.on_late = functools.partial(_audit_late_call, uow, ctx.actor)
    ctx = _check(uow, ctx)
    decision = dialog.decide(ctx.state, ctx.parsed, ctx.facts)
    if "check_recipient" in decision.actions:
        ctx = _check_recipient(services, uow, calls, ctx, decision.state)
        decision = dialog.decide(ctx.state, ctx.parsed, ctx.facts)
    if "repeat" in decision.actions:
        if ctx.convo.last_reply is not None:
            return _repeat(uow, ctx, ctx.convo.last_reply)
        decision = dialog.nothing_to_repeat(ctx.state)
    result = _carry_out(services, uow, calls, ctx, decision)
    if isinstance(result, Conflict):
        return _busy(uow, ctx)
    reply = result.remembered
    if reply is None:
        rate = _rate(ctx, decision)
        reply = _render(ctx, decision, result, rate)
        with uow.write() as repo:
            _remember(repo, ctx, reply, rate)
            uow.commit()
    metrics.TURNS.labels(decision.intent, result.state.status).inc()
    metrics.TURN_SECONDS.observe(time.monotonic() - ctx.started)
    return reply


def _context(services: Services, uow: TurnUnitOfWork, request: TurnRequest) -> TurnContext:
    """Understand the utterance and read what the turn needs, in one read transaction."""
    started = time.monotonic()
    now = services.clock()
    parsed = request.parsed or parse(request.utterance, request.locale)
    with uow.read() as repo:
        saved = (repo.find_conversation(request.session_id, request.user_id, request.device_id)
                 if request.session_id else None)
        convo = _conversation(saved, request, now, services.settings.session_idle_s)
        if saved is not None and convo.version is not None and not convo.notes and dialog.goes_on(saved.state, parsed):
            convo.state = saved.state       # `더 들려줘` continues the transactions it follows
        known = repo.load_facts(request.user_id, now, convo.verified, dialog.concerns_transfer(convo.state, parsed))
        if dialog.concerns_recall(convo.state, parsed):
            known = dataclasses.replace(known, facts=dataclasses.replace(
                known.facts, recall=repo.recall_facts(request.user_id)))
    convo.user_locale = known.locale
    state = convo.state
    if state.task is None:
        state = dataclasses.replace(state, locale=request.locale or _spoken_locale(request.utterance, parsed, convo))
    elif request.locale:
        state = dataclasses.replace(state, locale=request.locale)
    actor = Actor(user_id=request.user_id, device_id=request.device_id, session_id=convo.id,
                  request_id=request.request_id)
    return TurnContext(request.utterance, parsed, convo, known, known.facts, state,
                       dialog.needs_check(state, parsed), actor, now, started, request.speaker)


def _conversation(saved: SavedConversation | None, request: TurnRequest, now: dt.datetime,
                  idle_s: int) -> Conversation:
    """The conversation this turn continues: a new one for an unknown id, a fresh start
    once it sat idle too long or finished."""
    user_id, device_id = request.user_id, request.device_id
    if saved is None:
        return Conversation(request.start_as or "s_" + uuid.uuid4().hex, user_id, device_id, State(), None, False)
    if saved.updated_at < now - dt.timedelta(seconds=idle_s):
        return Conversation(saved.id, user_id, device_id, State(), saved.version, False, (Reply("expired"),))
    verified = saved.verified_until is not None and saved.verified_until > now
    state = State(locale=saved.state.locale) if saved.state.finished else saved.state
    return Conversation(saved.id, user_id, device_id, state, saved.version, verified, last_reply=saved.last_reply)


def _spoken_locale(utterance: str, parsed: Parse, convo: Conversation) -> str:
    """The utterance's language; digits alone (`4 8 2 6`) have none, so they keep the
    conversation's, or else the user's last one."""
    if any(ch.isalpha() for ch in utterance):
        return parsed.locale
    if convo.version is not None and not convo.notes:
        return convo.state.locale
    return convo.user_locale or parsed.locale


def _check(uow: TurnUnitOfWork, ctx: TurnContext) -> TurnContext:
    """Check the spoken PIN or code the conversation awaits. It commits on its own (the
    turn's first commit, so it spends the request's nonce), so that a try counts even when
    the turn then loses a race on its conversation."""
    if ctx.checked is None:
        return ctx
    user_id, digits = ctx.actor.user_id or "", ctx.parsed.digits or ""
    with uow.write() as repo:
        if ctx.checked == "pin":
            facts = dataclasses.replace(ctx.facts, pin=repo.check_pin(user_id, digits, ctx.actor))
        else:
            facts = dataclasses.replace(ctx.facts, otp=repo.check_otp(user_id, digits, ctx.actor))
        uow.commit()
    return dataclasses.replace(ctx, facts=facts)


#: the share of what is left of a turn's budget that the payee's bank has to answer the
#: recipient check; the rest is the turn's, to save and answer
_RECIPIENT_CHECK_SHARE = 0.75


def _check_recipient(services: Services, uow: TurnUnitOfWork, calls: CallLog, ctx: TurnContext,
                     state: State) -> TurnContext:
    """Ask the payee's bank who holds the payee's account (오픈뱅킹 수취조회), waiting no
    longer than the turn can spare; the dialog then decides on the answer (CONTRACT §10). It
    runs in the send pool: it is the first step of a transfer, which a flood of slow reads
    must not hold back."""
    payee = next(p for p in ctx.facts.payees if p.name == state.payee)
    user_id = ctx.convo.user_id
    with uow.read() as repo:
        registered = repo.payee_holder(user_id, payee.name)
    number = account_numbers.payee_number(services.keys, user_id, payee)
    holder: str | None = None
    failed = False
    try:
        future = services.sends.submit(services.partners.call, calls, payee.bank, "holder_name",
                                       lambda adapter: adapter.holder_name(number))
        holder = future.result(timeout=_budget_left(services, ctx.started) * _RECIPIENT_CHECK_SHARE)
    except AccountUnavailable:
        pass  # no such account at the payee's bank: not the payee's, whatever was registered
    except (PartnerError, PoolFull, concurrent.futures.TimeoutError):
        failed = True
    check = dialog.RecipientCheck(payee.name, failed, holder, registered)
    return dataclasses.replace(ctx, facts=dataclasses.replace(ctx.facts, recipient=check))


def _carry_out(services: Services, uow: TurnUnitOfWork, calls: CallLog, ctx: TurnContext,
               decision: Decision) -> Done | Conflict:
    """Do what the dialog decided, and save the conversation with it."""
    facts = ctx.facts
    locked = facts.locked or facts.pin == "locked" or any(r.key == "locked" for r in decision.replies)
    verified = not locked and (ctx.convo.verified or "verify_session" in decision.actions)
    verified_until = ctx.now + dt.timedelta(seconds=services.settings.session_idle_s) if verified else None
    done = Done(decision.state, ctx.convo.notes + decision.replies)
    if "read" in decision.actions:
        done = _read(services, uow, calls, ctx, done)
    if "transfer" in decision.actions:
        return _transfer(services, uow, calls, ctx, decision, done, verified_until)
    if "recall" in decision.actions:
        return _recall(uow, calls, ctx, decision, done, verified_until)
    return _save(uow, calls, ctx, decision, done, verified_until)


def _read(services: Services, uow: TurnUnitOfWork, calls: CallLog, ctx: TurnContext, done: Done) -> Done:
    """Balance, transactions, accounts or payees, live from the partners, outside any transaction."""
    state = done.state
    holders: dict[str, str] = {}
    if state.task == "transactions" and ctx.facts.payees:
        # the banks name a transfer's counterparty by the account holder (`박미영`); the
        # person knows them as the payee (`엄마`)
        with uow.read() as repo:
            holders = {p.name: h for p in ctx.facts.payees
                       if (h := repo.payee_holder(ctx.convo.user_id, p.name)) is not None}
    try:
        result = reads.perform(services, calls, state, ctx.known.accounts, ctx.facts.payees, holders, ctx.now,
                               _budget_left(services, ctx.started))
    except reads.BankUnavailable as exc:
        return Done(dataclasses.replace(state, status="failed"),
                    (*done.replies, Reply("partner_unavailable", {"bank": exc.bank})))
    return Done(state, (*done.replies, *result.replies), result.card_lines, result.data)


def _save(uow: TurnUnitOfWork, calls: CallLog, ctx: TurnContext, decision: Decision, done: Done,
          verified_until: dt.datetime | None) -> Done | Conflict:
    # drained (and so logged) before the write lock is taken, not while it is held
    events = [*transfers.call_events(calls, ctx.actor), _turn_event(ctx, decision, done.state)]
    rate = _rate(ctx, decision)
    reply = _render(ctx, decision, done, rate)
    with uow.write() as repo:
        if not repo.save_conversation(ctx.convo, done.state, ctx.now, verified_until):
            return Conflict()
        repo.record(events)
        _remember(repo, ctx, reply, rate)
        uow.commit()
    return dataclasses.replace(done, remembered=reply)


def _transfer(services: Services, uow: TurnUnitOfWork, calls: CallLog, ctx: TurnContext, decision: Decision,
              done: Done, verified_until: dt.datetime | None) -> Done | Conflict:
    """Reserve, send and report a transfer the dialog authorised."""
    state = done.state
    payee = next((p for p in ctx.facts.payees if p.name == state.payee), None)
    source = next((a for a in ctx.known.accounts if a.bank == state.bank), None)
    if payee is None or source is None or state.amount is None:
        rejected = Done(dataclasses.replace(state, status="rejected"), (*done.replies, Reply("not_understood")))
        return _save(uow, calls, ctx, decision, rejected, verified_until)
    with uow.write() as repo:
        reserved = _reserve(repo, ctx, decision, done, source, payee, state.amount, verified_until)
        if isinstance(reserved, Conflict):
            return reserved
        uow.commit()
    if reserved.transfer is None:
        return reserved.done
    if reserved.transfer.status == "held":
        return _report_held(reserved.done, reserved.transfer)
    return _report(uow, reserved.done, reserved.transfer, _send(services, ctx, reserved.transfer))


def _reserve(repo: TurnRepository, ctx: TurnContext, decision: Decision, done: Done, source: Any,
             payee: Any, amount: int, verified_until: dt.datetime | None) -> Reserved | Conflict:
    """In one transaction: the daily limit taken, the transfer written down as pending, the
    conversation that authorised it saved, and their events."""
    user_id, limits = ctx.convo.user_id, ctx.facts.limits
    transfer = repo.reserve(user_id, source, payee, amount, limits.daily, ctx.actor)
    if transfer is None:
        left = max(0, limits.daily - repo.used_today(user_id, ctx.now))
        kept = Done(dataclasses.replace(done.state, status="rejected"),
                    (*done.replies, Reply("over_daily", {"limit": limits.daily, "left": left})))
    else:
        kept = Done(dataclasses.replace(done.state, transfer_id=transfer.id), done.replies)
    if not repo.save_conversation(ctx.convo, kept.state, ctx.now, verified_until):
        return Conflict()
    # `transfer.pending`, or `transfer.held` for one the holding rule holds (CONTRACT §8)
    pending = [(f"transfer.{transfer.status}", transfer.audit_detail(), ctx.actor)] if transfer is not None else []
    repo.record([*pending, _turn_event(ctx, decision, kept.state)])
    return Reserved(kept, transfer)


def _send(services: Services, ctx: TurnContext, transfer: Transfer) -> str:
    """The transfer's status once sent, or `pending` when the bank is slower than the turn."""
    try:
        future = services.sends.submit(transfers.execute, services, transfer, ctx.actor)
        status: str = future.result(timeout=_budget_left(services, ctx.started))
    except (PoolFull, concurrent.futures.TimeoutError):
        # sent later or never, under the exactly-once rule (`banking.transfers.send`); the
        # reconciler settles it either way
        status = "pending"
    return status


def _report(uow: TurnUnitOfWork, done: Done, transfer: Transfer, status: str) -> Done:
    data = {"transfer_id": transfer.id, "status": status, "amount": transfer.amount,
            "payee": transfer.payee, "bank": transfer.from_bank}
    if status == "completed":
        said = Reply("transfer_completed", {"payee": transfer.payee, "amount": transfer.amount})
        return Done(done.state, (*done.replies, said), data=data)
    if status == "pending":
        with uow.write() as repo:  # the person was told "being confirmed": a notice tells how it ends
            repo.follow(transfer)
            uow.commit()
        return Done(done.state, (*done.replies, Reply("transfer_pending")), data=data)
    with uow.read() as repo:
        reason = repo.failure_reason(transfer.id) or "rejected"
    return Done(dataclasses.replace(done.state, status="failed"),
                (*done.replies, Reply("transfer_failed", {"payee": transfer.payee, "reason": reason})), data=data)


def _transfer_data(transfer: Transfer) -> dict[str, Any]:
    return {"transfer_id": transfer.id, "status": transfer.status, "amount": transfer.amount,
            "payee": transfer.payee, "bank": transfer.from_bank}


def _report_held(done: Done, transfer: Transfer) -> Done:
    """A held transfer: the conversation is done, the money goes out at `release_at`."""
    said = Reply("transfer_held", {"payee": transfer.payee, "amount": transfer.amount, "at": transfer.release_at})
    return Done(done.state, (*done.replies, said), data=_transfer_data(transfer))


def _recall(uow: TurnUnitOfWork, calls: CallLog, ctx: TurnContext, decision: Decision, done: Done,
            verified_until: dt.datetime | None) -> Done | Conflict:
    """Cancel the held transfer the PIN confirmed, in one commit with the conversation; the
    scheduler may have released it first, and then the reply says it was sent."""
    events = [*transfers.call_events(calls, ctx.actor), _turn_event(ctx, decision, done.state)]
    with uow.write() as repo:
        if not repo.save_conversation(ctx.convo, done.state, ctx.now, verified_until):
            return Conflict()
        transfer = repo.cancel_transfer(done.state.recall or "", ctx.convo.user_id, ctx.actor)
        repo.record(events)
        uow.commit()
    said = {"payee": transfer.payee, "amount": transfer.amount}
    reply = Reply("transfer_cancelled" if transfer.status == "cancelled" else "already_sent", said)
    return Done(done.state, (*done.replies, reply), data=_transfer_data(transfer))


def _busy(uow: TurnUnitOfWork, ctx: TurnContext) -> TurnReply:
    """The reply to a turn that lost a race on its conversation (a double-submitted PIN, a
    device retry): nothing of it is applied; the conversation as the winner left it stands."""
    with uow.read() as repo:
        state = repo.conversation_state(ctx.convo.id)
    intent = state.task or "unknown"
    with uow.write() as repo:
        repo.record([("turn", {"intent": intent, "status": "conflict",
                               "utterance": redact(ctx.utterance, ctx.parsed, ctx.checked)}, ctx.actor)])
        uow.commit()
    rendered = speech.render(state.locale, intent, [Reply("busy")])
    return TurnReply(ctx.convo.id, intent, {"amount": state.amount, "payee": state.payee, "bank": state.bank},
                     state.status, state.awaiting, rendered.speech, rendered.ssml, rendered.card, None)


def _repeat(uow: TurnUnitOfWork, ctx: TurnContext, last: dict[str, Any]) -> TurnReply:
    """The last reply again, exactly as sent; the conversation is not touched (CONTRACT §9).
    Its event is written in a transaction of its own, which also spends the request's nonce."""
    with uow.write() as repo:
        repo.record([("turn", {"intent": last["intent"], "status": last["status"], "awaiting": last["awaiting"],
                               "utterance": redact(ctx.utterance, ctx.parsed, ctx.checked), "repeat": True},
                      ctx.actor)])
        uow.commit()
    return TurnReply(**{f.name: last[f.name] for f in dataclasses.fields(TurnReply)})


def _rate(ctx: TurnContext, decision: Decision) -> str:
    """How this reply is spoken: as the person just asked, else as they asked before."""
    if "slower" in decision.actions:
        return "slow"
    return "normal" if "normal_speed" in decision.actions else ctx.known.speech_rate


def _remember(repo: TurnRepository, ctx: TurnContext, reply: TurnReply, rate: str) -> None:
    """Keep the reply for a later `다시 말해줘`, and the speech rate the person asked for."""
    repo.remember_reply(reply.session_id, reply.to_json())
    if rate != ctx.known.speech_rate:
        repo.set_speech_rate(ctx.convo.user_id, rate)


def _render(ctx: TurnContext, decision: Decision, done: Done, rate: str = "normal") -> TurnReply:
    state = done.state
    rendered = speech.render(state.locale, decision.intent, done.replies, done.card_lines, slow=rate == "slow")
    return TurnReply(
        session_id=ctx.convo.id, intent=decision.intent,
        slots={"amount": state.amount, "payee": state.payee, "bank": state.bank},
        status=state.status, awaiting=state.awaiting,
        speech=rendered.speech, ssml=rendered.ssml, card=rendered.card, data=done.data,
    )


def _audit_late_call(uow: TurnUnitOfWork, actor: Actor, call: PartnerCall) -> None:
    """A partner call that finished after its turn had answered is still an event, written
    in the thread that made the call, in a transaction of its own."""
    uow.record_apart([(call.audit_type, call.audit_detail(), actor)])


def _budget_left(services: Services, started: float) -> float:
    return max(0.1, services.settings.turn_budget_s - (time.monotonic() - started))


def _turn_event(ctx: TurnContext, decision: Decision, state: State) -> Event:
    return ("turn", {"intent": decision.intent, "status": state.status, "awaiting": state.awaiting,
                     "utterance": redact(ctx.utterance, ctx.parsed, ctx.checked), "locale": state.locale,
                     "amount": state.amount, "payee": state.payee, "bank": state.bank,
                     **({"speaker": ctx.speaker} if ctx.speaker else {})}, ctx.actor)
