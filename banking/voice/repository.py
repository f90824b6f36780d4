"""The voice turn's storage: what it reads and writes, behind a small protocol (cosmicpython's
repository and unit of work), so that a turn can run against in-memory fakes; and the SQL
implementation over the request's `UnitOfWork`."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, ContextManager, Iterable, Iterator, Protocol, Sequence

from sqlalchemy import Connection, bindparam, select, update

from banking import transfers
from banking.audit.trail import Actor, Event
from banking.auth import verification
from banking.auth.verification import Outcome
from banking.core.dialog import Facts, Limits, Recall, Reply, State
from banking.core.formats import aware
from banking.core.payee_match import Payee
from banking.platform.security import account_numbers, holder_names
from banking.platform.services import Services
from banking.platform.store import UnitOfWork, insert_ignore
from banking.platform.store.direct import Direct
from banking.platform.store.tables import accounts, payees, sessions, transfers as transfers_table, users
from banking.transfers import Transfer


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
    #: the last reply as sent, for `다시 말해줘` (CONTRACT §9)
    last_reply: dict[str, Any] | None = None


@dataclass(frozen=True)
class SavedConversation:
    """A conversation as stored, before the turn judges whether it is still current."""

    id: str
    state: State
    version: int
    updated_at: dt.datetime
    verified_until: dt.datetime | None
    last_reply: dict[str, Any] | None = None


@dataclass(frozen=True)
class Known:
    """What a turn knows of its user."""

    facts: Facts
    #: `accounts` rows (or anything with their columns), the primary one first
    accounts: Sequence[Any]
    #: the language of the user's last turn (`users.locale`)
    locale: str
    #: `slow` or `normal` (CONTRACT §9, `users.speech_rate`)
    speech_rate: str = "normal"


class TurnRepository(Protocol):
    """The turn's reads and writes, inside one transaction of its unit of work."""

    def find_conversation(self, session_id: str, user_id: str, device_id: str) -> SavedConversation | None: ...

    def load_facts(self, user_id: str, now: dt.datetime, verified: bool, transfer: bool) -> Known:
        """The payees and today's usage only for a transfer (`dialog.concerns_transfer`)."""

    def check_pin(self, user_id: str, digits: str, actor: Actor) -> Outcome: ...

    def check_otp(self, user_id: str, code: str, actor: Actor) -> Outcome: ...

    def reserve(self, user_id: str, source: Any, payee: Payee, amount: int, daily_limit: int,
                actor: Actor) -> Transfer | None:
        """The transfer written down as pending, or None when the daily limit would be overshot."""

    def used_today(self, user_id: str, now: dt.datetime) -> int: ...

    def save_conversation(self, convo: Conversation, state: State, now: dt.datetime,
                          verified_until: dt.datetime | None) -> bool:
        """Insert or update the conversation; False when another turn changed it first."""

    def conversation_state(self, session_id: str) -> State: ...

    def failure_reason(self, transfer_id: str) -> str | None: ...

    def record(self, events: Iterable[Event]) -> None:
        """Append to the audit trail, in this transaction."""

    # -- conversation comforts (CONTRACT §9)

    def remember_reply(self, session_id: str, reply: dict[str, Any]) -> None:
        """Keep the reply as sent, for a later `다시 말해줘`."""

    def set_speech_rate(self, user_id: str, rate: str) -> None: ...

    # -- held transfers and notices (CONTRACT §8)

    def recall_facts(self, user_id: str) -> Recall | None:
        """The user's newest held transfer, else their newest transfer."""

    def cancel_transfer(self, transfer_id: str, user_id: str, actor: Actor) -> Transfer:
        """Cancel it if still held; the transfer as it then stands."""

    def follow(self, transfer: Transfer) -> None:
        """The person heard `pending`: a notice will tell how the transfer ends."""

    # -- the recipient check (CONTRACT §10)

    def payee_holder(self, user_id: str, payee: str) -> str | None:
        """The account holder enrolled with the payee; None for a payee enrolled without one."""


class TurnUnitOfWork(Protocol):
    """How a turn reaches its storage: `read` and `write` give a repository over one
    transaction; a write stands only once `commit` is called inside it, and the first
    commit also spends what the request spends (its nonce)."""

    def read(self) -> ContextManager[TurnRepository]: ...

    def write(self) -> ContextManager[TurnRepository]: ...

    def commit(self) -> None: ...

    def record_apart(self, events: Iterable[Event]) -> None:
        """Events in a transaction of their own, whenever they come (a partner call that
        ended after its turn answered): never the request's to spend in."""


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


class SqlTurnRepository:
    def __init__(self, conn: Connection, services: Services) -> None:
        self._conn = conn
        self._services = services

    def find_conversation(self, session_id: str, user_id: str, device_id: str) -> SavedConversation | None:
        row = _SESSION.first(self._conn, {"id": session_id, "user_id": user_id, "device_id": device_id})
        if row is None:
            return None
        return SavedConversation(row.id, State.from_json(json.loads(row.state)), row.version,
                                 aware(row.updated_at),
                                 aware(row.verified_until) if row.verified_until is not None else None,
                                 json.loads(row.last_reply) if row.last_reply else None)

    def load_facts(self, user_id: str, now: dt.datetime, verified: bool, transfer: bool) -> Known:
        conn, params = self._conn, {"user_id": user_id}
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
        return Known(facts, account_rows, user.locale, user.speech_rate)

    def check_pin(self, user_id: str, digits: str, actor: Actor) -> Outcome:
        return verification.check_pin(self._conn, self._services, user_id, digits, actor)

    def check_otp(self, user_id: str, code: str, actor: Actor) -> Outcome:
        return verification.check_otp(self._conn, self._services, user_id, code, actor)

    def reserve(self, user_id: str, source: Any, payee: Payee, amount: int, daily_limit: int,
                actor: Actor) -> Transfer | None:
        keys = self._services.keys
        return transfers.reserve(
            self._conn, self._services, user_id=user_id, daily_limit=daily_limit,
            from_bank=source.bank, from_account=account_numbers.account_number(keys, source),
            payee=payee.name, to_bank=payee.bank, to_account=account_numbers.payee_number(keys, user_id, payee),
            amount=amount, actor=actor)

    def used_today(self, user_id: str, now: dt.datetime) -> int:
        return transfers.used_today(self._conn, user_id, now)

    def save_conversation(self, convo: Conversation, state: State, now: dt.datetime,
                          verified_until: dt.datetime | None) -> bool:
        conn = self._conn
        values = {"state": json.dumps(state.to_json(), ensure_ascii=False), "updated_at": now,
                  "verified_until": verified_until}
        if state.locale != convo.user_locale:
            conn.execute(_REMEMBER_LOCALE, {"user_id": convo.user_id, "locale": state.locale})
        if convo.version is None:
            return insert_ignore(conn, sessions, {"id": convo.id, "user_id": convo.user_id,
                                                  "device_id": convo.device_id, "version": 1,
                                                  "created_at": now, **values})
        return _UPDATE_SESSION.execute(conn, {"session_id": convo.id, "seen_version": convo.version,
                                              "new_version": convo.version + 1, **values}) == 1

    def conversation_state(self, session_id: str) -> State:
        row = self._conn.execute(select(sessions.c.state).where(sessions.c.id == session_id)).scalar_one()
        return State.from_json(json.loads(row))

    def failure_reason(self, transfer_id: str) -> str | None:
        reason: str | None = self._conn.execute(select(transfers_table.c.failure_reason)
                                                .where(transfers_table.c.id == transfer_id)).scalar_one()
        return reason

    def record(self, events: Iterable[Event]) -> None:
        self._services.audit.append_many(self._conn, events)

    def remember_reply(self, session_id: str, reply: dict[str, Any]) -> None:
        self._conn.execute(update(sessions).where(sessions.c.id == session_id)
                           .values(last_reply=json.dumps(reply, ensure_ascii=False)))

    def set_speech_rate(self, user_id: str, rate: str) -> None:
        self._conn.execute(update(users).where(users.c.id == user_id).values(speech_rate=rate))

    def recall_facts(self, user_id: str) -> Recall | None:
        return transfers.recall_facts(self._conn, user_id)

    def cancel_transfer(self, transfer_id: str, user_id: str, actor: Actor) -> Transfer:
        return transfers.cancel(self._conn, self._services, transfer_id, user_id, actor)

    def follow(self, transfer: Transfer) -> None:
        transfers.follow(self._conn, self._services, transfer)

    def payee_holder(self, user_id: str, payee: str) -> str | None:
        blob = self._conn.execute(select(payees.c.holder_enc).where(
            payees.c.user_id == user_id, payees.c.name == payee)).scalar_one_or_none()
        return None if blob is None else holder_names.unseal(self._services.keys, user_id, payee, blob)


class SqlTurnUnitOfWork:
    """A turn's storage in the request's `UnitOfWork` (the HTTP edge's)."""

    def __init__(self, work: UnitOfWork, services: Services) -> None:
        self._work = work
        self._services = services

    @contextlib.contextmanager
    def read(self) -> Iterator[TurnRepository]:
        with self._work.read() as conn:
            yield SqlTurnRepository(conn, self._services)

    @contextlib.contextmanager
    def write(self) -> Iterator[TurnRepository]:
        with self._work.write() as conn:
            yield SqlTurnRepository(conn, self._services)

    def commit(self) -> None:
        self._work.commit()

    def record_apart(self, events: Iterable[Event]) -> None:
        with self._services.db.begin() as conn:
            self._services.audit.append_many(conn, events)
