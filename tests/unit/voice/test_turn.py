"""Voice turns against an in-memory unit of work (cosmicpython's FakeUnitOfWork): the turn's
steps, commits and audit events, with no database. The partners are in-memory adapters."""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Iterator

import pytest

from adapters.memory import MemoryAdapter
from banking.audit.trail import Actor, AuditTrail, Event
from banking.auth.verification import Outcome
from banking.core.dialog import Facts, Limits, State
from banking.core.payee_match import Payee
from banking.platform.partners import Partners
from banking.platform.security import account_numbers
from banking.platform.security.keys import Keyring
from banking.platform.services import Services
from banking.platform.store import Database
from banking.transfers import Transfer
from banking.voice.repository import Conversation, Known, SavedConversation
from banking.voice.turn import TurnReply, handle_turn
from tests.support import make_settings

NOW = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
KEYS = Keyring(b"k" * 32)
#: nothing may reach a database: this one does not exist
NOWHERE = "postgresql+psycopg://nobody@127.0.0.1:9/nowhere"


class FakeUnitOfWork:
    """The turn's storage as dictionaries; a write left without `commit` changes nothing."""

    def __init__(self, known: Known, pin: str = "4826") -> None:
        self.known = known
        self.pin = pin
        self.conversations: dict[str, SavedConversation] = {}
        self.events: list[Event] = []
        self.transfers: list[Transfer] = []
        self.commits = 0
        #: another turn saves the conversation between this turn's read and its save
        self.raced_by: State | None = None
        self._committed = True

    # the unit of work
    @contextlib.contextmanager
    def read(self) -> Iterator[FakeUnitOfWork]:
        yield self

    @contextlib.contextmanager
    def write(self) -> Iterator[FakeUnitOfWork]:
        before = copy.copy(self.conversations), list(self.events), list(self.transfers)
        self._committed = False
        yield self
        if not self._committed:
            self.conversations, self.events, self.transfers = before

    def commit(self) -> None:
        self._committed = True
        self.commits += 1

    def record_apart(self, events: Iterable[Event]) -> None:
        self.events += events

    # the repository
    def find_conversation(self, session_id: str, user_id: str, device_id: str) -> SavedConversation | None:
        return self.conversations.get(session_id)

    def load_facts(self, user_id: str, now: dt.datetime, verified: bool, transfer: bool) -> Known:
        if self.raced_by is not None:  # just after this turn read its conversation
            for id_, stored in self.conversations.items():
                self.conversations[id_] = dataclasses.replace(stored, state=self.raced_by, version=stored.version + 1)
            self.raced_by = None
        facts = dataclasses.replace(self.known.facts, verified=verified,
                                    payees=self.known.facts.payees if transfer else ())
        return dataclasses.replace(self.known, facts=facts)

    def check_pin(self, user_id: str, digits: str, actor: Actor) -> Outcome:
        outcome: Outcome = "ok" if digits == self.pin else "wrong"
        self.events.append((f"auth.pin.{outcome}", {"factor": "pin"}, actor))
        return outcome

    def check_otp(self, user_id: str, code: str, actor: Actor) -> Outcome:
        return "wrong"

    def reserve(self, user_id: str, source: Any, payee: Payee, amount: int, daily_limit: int,
                actor: Actor) -> Transfer | None:
        raise AssertionError("no transfer is authorised in these turns")

    def used_today(self, user_id: str, now: dt.datetime) -> int:
        return 0

    def save_conversation(self, convo: Conversation, state: State, now: dt.datetime,
                          verified_until: dt.datetime | None) -> bool:
        stored = self.conversations.get(convo.id)
        if (stored.version if stored else None) != convo.version:
            return False
        self.conversations[convo.id] = SavedConversation(convo.id, state, (convo.version or 0) + 1, now,
                                                         verified_until)
        return True

    def conversation_state(self, session_id: str) -> State:
        return self.conversations[session_id].state

    def failure_reason(self, transfer_id: str) -> str | None:
        return None

    def payee_holder(self, user_id: str, payee: str) -> str | None:
        return {"엄마": "박미영"}.get(payee)

    def record(self, events: Iterable[Event]) -> None:
        self.events += events

    def remember_reply(self, session_id: str, reply: dict[str, Any]) -> None:
        self.conversations[session_id] = dataclasses.replace(self.conversations[session_id], last_reply=reply)

    def set_speech_rate(self, user_id: str, rate: str) -> None:
        self.known = dataclasses.replace(self.known, speech_rate=rate)


def _account(bank: str, number: str, primary: bool) -> SimpleNamespace:
    return SimpleNamespace(user_id="demo", bank=bank, name=f"{bank} 통장", is_primary=primary,
                           **account_numbers.account_values(KEYS, "demo", bank, number))


def _known() -> Known:
    mom = account_numbers.payee_values(KEYS, "demo", "엄마", "1002-987-654321")
    return Known(
        facts=Facts(payees=(Payee("엄마", ("어머니",), "woori", mom["last4"], mom["number_enc"]),),
                    banks=("kbank",), primary_bank="kbank",
                    limits=Limits(otp_threshold=300_000, per_transfer=1_000_000, daily=2_000_000, used_today=0)),
        accounts=(_account("kbank", "100-123-456789", True),),
        locale="ko-KR")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = Services(make_settings(tmp_path, NOWHERE), Database(NOWHERE), KEYS, AuditTrail(b"a" * 32),
                        Partners({"kbank": MemoryAdapter("kbank"), "woori": MemoryAdapter("woori")}),
                        clock=lambda: NOW)
    yield services
    services.close()


def turn(services: Services, uow: FakeUnitOfWork, utterance: str, session_id: str | None = None) -> TurnReply:
    return handle_turn(services, uow, user_id="demo", device_id="demo-tv", request_id="r1",
                       utterance=utterance, session_id=session_id, locale=None)


def test_balance_after_a_spoken_pin(services: Services) -> None:
    uow = FakeUnitOfWork(_known())
    asked = turn(services, uow, "잔액 알려줘")
    assert (asked.intent, asked.awaiting, uow.commits) == ("balance", "pin", 1)

    answered = turn(services, uow, "4826", asked.session_id)

    assert (answered.status, answered.awaiting) == ("completed", None)
    assert answered.data == {"accounts": [{"bank": "kbank", "name": "kbank 통장", "number_masked": "***-***-6789",
                                           "balance": 1_250_000, "currency": "KRW"}]}
    assert uow.commits == 3  # the PIN check commits on its own, before the conversation
    saved = uow.conversations[asked.session_id]
    assert saved.version == 2 and saved.verified_until is not None and saved.verified_until > NOW
    types = [type_ for type_, _, _ in uow.events]
    assert types[-3:] == ["auth.pin.ok", "partner.balance", "turn"]
    assert uow.events[-1][1]["utterance"] == "[pin]"  # the PIN never reaches the trail


def test_a_transfer_is_read_back_before_anything_is_reserved(services: Services) -> None:
    uow = FakeUnitOfWork(_known())

    reply = turn(services, uow, "엄마한테 5만원 보내줘")

    assert (reply.intent, reply.status, reply.awaiting) == ("transfer", "in_progress", "pin")
    assert reply.slots == {"amount": 50_000, "payee": "엄마", "bank": "kbank"}
    assert "엄마" in reply.speech and "4321" in reply.speech and "보낼까요" in reply.speech
    assert "예금주 박*영" in reply.speech and "박미영" not in reply.speech  # the recipient check, masked
    assert [type_ for type_, _, _ in uow.events][-2:] == ["partner.holder_name", "turn"]
    assert uow.transfers == [] and uow.commits == 1
    assert uow.conversations[reply.session_id].state.awaiting == "pin"


def test_a_turn_that_loses_the_race_on_its_conversation_changes_nothing(services: Services) -> None:
    uow = FakeUnitOfWork(_known())
    asked = turn(services, uow, "잔액 알려줘")
    winner = State(locale="ko-KR", task="balance", status="cancelled")
    uow.raced_by = winner  # a second device request saves first

    lost = turn(services, uow, "4826", asked.session_id)

    assert (lost.status, lost.intent, lost.awaiting) == ("cancelled", "balance", None)
    assert lost.speech == "이전 요청을 처리하고 있어요. 잠시 후 다시 말씀해 주세요."
    saved = uow.conversations[asked.session_id]
    assert (saved.state, saved.version) == (winner, 2)  # the winner's, untouched
    last_type, last_detail, _ = uow.events[-1]
    assert (last_type, last_detail["status"], last_detail["utterance"]) == ("turn", "conflict", "[pin]")
    # the PIN check stands (it commits on its own); the lost save and its events do not
    assert [t for t, _, _ in uow.events].count("turn") == 2 and "partner.balance" not in [t for t, _, _ in uow.events]
