"""Checking a spoken PIN or one-time code against the database, atomically.

The PIN failure counter is one row per user, updated with a single conditional UPDATE, so
ten parallel wrong tries count as ten on SQLite and on PostgreSQL alike (PSD2 RTS 4(3)(b)).
Each check runs in a transaction of its own, which the caller commits apart from the
conversation's state, so that a check is counted even when its turn loses an
optimistic-concurrency race.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import Connection, case, select, update

from banking import notices
from banking.audit.trail import Actor
from banking.auth import enrolment, otp, pin
from banking.core.dialog import Reply
from banking.core.formats import aware
from banking.platform import metrics
from banking.platform.services import Services
from banking.platform.store.tables import sessions, users

MAX_PIN_FAILURES = 5
LOCK_MINUTES = 30

Outcome = Literal["ok", "wrong", "locked"]


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    if locked_until is None:
        return False
    return aware(locked_until) > now


def _not_locked(now: dt.datetime):  # type: ignore[no-untyped-def]
    return (users.c.locked_until.is_(None)) | (users.c.locked_until <= now)


def check_pin(conn: Connection, services: Services, user_id: str, digits: str, actor: Actor) -> Outcome:
    now = services.clock()
    row = conn.execute(select(users.c.pin_hash, users.c.locked_until).where(users.c.id == user_id)).one()
    if is_locked(row.locked_until, now):
        _record(services, conn, "auth.pin.refused_locked", {"factor": "pin", "outcome": "locked"}, actor)
        return "locked"
    if pin.matches(services.keys.pin_pepper, user_id, digits, row.pin_hash):
        reset = conn.execute(update(users).where(users.c.id == user_id, _not_locked(now))
                             .values(pin_failures=0)).rowcount == 1
        if not reset:  # a concurrent fifth wrong PIN locked the user first: its lock stands
            _record(services, conn, "auth.pin.refused_locked", {"factor": "pin", "outcome": "locked"}, actor)
            return "locked"
        _record(services, conn, "auth.pin.ok", {"factor": "pin", "outcome": "ok"}, actor)
        return "ok"
    return _count_failure(services, conn, user_id, now, actor)


def _count_failure(services: Services, conn: Connection, user_id: str, now: dt.datetime, actor: Actor) -> Outcome:
    locks_now = users.c.pin_failures + 1 >= MAX_PIN_FAILURES
    result = conn.execute(
        update(users).where(users.c.id == user_id, _not_locked(now)).values(
            pin_failures=case((locks_now, 0), else_=users.c.pin_failures + 1),
            locked_until=case((locks_now, now + dt.timedelta(minutes=LOCK_MINUTES)), else_=users.c.locked_until),
        ).returning(users.c.pin_failures, users.c.locked_until)
    ).first()
    if result is None:  # locked by a concurrent failure between our read and this update
        _record(services, conn, "auth.pin.refused_locked", {"factor": "pin", "outcome": "locked"}, actor)
        return "locked"
    locked = is_locked(result.locked_until, now)
    if locked:
        # a lock ends every verified session of the user (CONTRACT §4.1 rule 5); rows first,
        # the audit chain's head last, as in every transaction, so that none deadlocks
        conn.execute(update(sessions).where(sessions.c.user_id == user_id).values(verified_until=None))
    _record(services, conn, "auth.pin.failed",
            {"factor": "pin", "outcome": "wrong", "failures": MAX_PIN_FAILURES if locked else result.pin_failures},
            actor)
    if not locked:
        return "wrong"
    # every device of the user hears of it (CONTRACT §8), maybe the person, maybe not
    notices.publish(conn, user_id=user_id, at=now, kind="auth.lock", reply=Reply("notice_locked"))
    services.audit.append(conn, "auth.lock", {"reason": "pin_failures", "failures": MAX_PIN_FAILURES,
                                              "minutes": LOCK_MINUTES}, actor)
    metrics.LOCKOUTS.inc()
    return "locked"


def check_otp(conn: Connection, services: Services, user_id: str, code: str, actor: Actor) -> Outcome:
    """RFC 6238 with single use: the accepted step is stored, and a step at or before the
    last accepted one is refused. The conditional UPDATE makes that atomic across processes."""
    now = services.clock()
    row = conn.execute(select(users.c.totp_secret_enc, users.c.totp_last_step, users.c.locked_until)
                       .where(users.c.id == user_id)).one()
    if is_locked(row.locked_until, now):
        _record(services, conn, "auth.otp.refused_locked", {"factor": "otp", "outcome": "locked"}, actor)
        return "locked"
    step = None
    if row.totp_secret_enc is not None:
        secret = enrolment.totp_secret(services.keys, user_id, row.totp_secret_enc)
        step = otp.matching_step(secret, code, now.timestamp(), row.totp_last_step)
    if step is not None:
        claimed = conn.execute(update(users).where(
            users.c.id == user_id,
            (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step),
        ).values(totp_last_step=step)).rowcount == 1
        if claimed:
            _record(services, conn, "auth.otp.ok", {"factor": "otp", "outcome": "ok"}, actor)
            return "ok"
    _record(services, conn, "auth.otp.failed", {"factor": "otp", "outcome": "wrong"}, actor)
    return "wrong"


def _record(services: Services, conn: Connection, type_: str, detail: dict[str, object], actor: Actor) -> None:
    services.audit.append(conn, type_, detail, actor)
    metrics.AUTH.labels(detail["factor"], detail["outcome"]).inc()
