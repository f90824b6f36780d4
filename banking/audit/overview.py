"""The auditors' overview: what the trail says over the last days, aggregated in SQL.

Every query is bounded: events by their time (`ix_audit_at`, a range of days, never the whole
trail), transfers by their creation time, and the chain's state by the newest checkpoint (the
walk checks only the events since it, which the hourly checkpoints keep short). Days are UTC
calendar days, as every time in the console."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, case, cast, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from banking.audit import checkpoints as audit_checkpoints
from banking.audit.verify import walk
from banking.platform.security.keys import Keyring
from banking.platform.store.tables import audit_events, audit_head, transfers

#: the event families of CONTRACT §6, in the order the charts show them
FAMILIES = ("turn", "auth", "transfer", "partner", "auditor")
SECURITY_TYPES = ("auth.pin.failed", "auth.otp.failed", "auth.lock")
DEFAULT_DAYS, MAX_DAYS = 14, 90
#: upper bounds (seconds) of the time-to-settle buckets; the last bucket is everything above
SETTLE_BUCKETS = (1, 5, 30, 300, 3600)
SLOWEST_SHOWN = 5
#: the most events the page walks after the newest checkpoint (about a second's work)
MAX_TAIL = 100_000


@dataclass(frozen=True)
class Chain:
    head_seq: int
    anchor_seq: int
    checkpoint: audit_checkpoints.Checkpoint | None
    #: the events after the newest checkpoint (or the anchor) checked just now; None: more of
    #: them than MAX_TAIL, left to a full verify
    tail_checked: int
    tail_ok: bool | None
    tail_first_bad_seq: int | None
    #: the newest full verify an auditor ran: {"at", "auditor", "ok", "checked", "first_bad_seq"}
    last_full_verify: dict[str, Any] | None


@dataclass(frozen=True)
class Overview:
    since: dt.date
    days: list[str]
    #: {family: [count per day]}
    families: dict[str, list[int]]
    #: {event type: [count per day]}
    security: dict[str, list[int]]
    #: (device, user, PIN failures, OTP failures, lockouts), most failures first
    security_devices: list[tuple[str, str, int, int, int]]
    #: {status: count} of the transfers created in the range
    transfer_status: dict[str, int]
    #: [(bucket label, count)] of settled transfers' time from send to settlement
    settle_buckets: list[tuple[str, int]]
    #: the longest to settle (or still pending): (id, status, seconds, created at)
    slowest: list[tuple[str, str, float, str]]
    #: {bank: {outcome: count}} of partner calls that did not go well
    partner_errors: dict[str, dict[str, int]]
    partner_calls: dict[str, int]
    chain: Chain | None = None
    totals: dict[str, int] = field(default_factory=dict)


def _day(conn: Connection, column: Any) -> ColumnElement[str]:
    """A timestamp's UTC calendar day as `YYYY-MM-DD`, in the database."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite stores UTC text, `YYYY-MM-DD HH:MM:SS…`


def _seconds(conn: Connection, start: Any, end: Any) -> ColumnElement[float]:
    if conn.dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _detail_field(conn: Connection, name: str) -> ColumnElement[str]:
    if conn.dialect.name == "postgresql":
        return cast(audit_events.c.detail, JSONB)[name].astext
    return type_coerce(audit_events.c.detail, JSON)[name].as_string()


def _family() -> ColumnElement[str]:
    t = audit_events.c.type
    return case(*((t.startswith(f + (".")) | (t == f), f) for f in FAMILIES), else_="other")


def _range(since: dt.datetime, until: dt.datetime) -> list[ColumnElement[bool]]:
    return [audit_events.c.at >= since, audit_events.c.at < until]


def _per_day(rows: Any, days: list[str], keys: tuple[str, ...]) -> dict[str, list[int]]:
    index = {day: i for i, day in enumerate(days)}
    counts = {key: [0] * len(days) for key in keys}
    for key, day, n in rows:
        if key in counts and day in index:
            counts[key][index[day]] += int(n)
    return counts


def _settle_label(i: int) -> str:
    def short(s: int) -> str:
        return f"{s} s" if s < 60 else f"{s // 60} min" if s < 3600 else f"{s // 3600} h"
    if i == 0:
        return f"< {short(SETTLE_BUCKETS[0])}"
    if i == len(SETTLE_BUCKETS):
        return f"≥ {short(SETTLE_BUCKETS[-1])}"
    return f"{short(SETTLE_BUCKETS[i - 1])}–{short(SETTLE_BUCKETS[i])}"


def _transfers(conn: Connection, since: dt.datetime, until: dt.datetime, now: dt.datetime
               ) -> tuple[dict[str, int], list[tuple[str, int]], list[tuple[str, str, float, str]]]:
    t = transfers.c
    in_range = [t.created_at >= since, t.created_at < until]
    status = {s: int(n) for s, n in conn.execute(
        select(t.status, func.count()).where(*in_range).group_by(t.status)).all()}
    # from the moment the send began (a held transfer waits on purpose before that)
    started = func.coalesce(t.send_started_at, t.created_at)
    settled = _seconds(conn, started, t.updated_at)
    bucket = case(*((settled < bound, i) for i, bound in enumerate(SETTLE_BUCKETS)), else_=len(SETTLE_BUCKETS))
    counts = dict(conn.execute(
        select(bucket, func.count()).where(*in_range, t.status.in_(("completed", "failed")))
        .group_by(bucket)).all())
    buckets = [(_settle_label(i), int(counts.get(i, 0))) for i in range(len(SETTLE_BUCKETS) + 1)]
    # still pending counts up to now: those are the ones an auditor asks about first
    waited = case((t.status == "pending", _seconds(conn, started, now)), else_=settled)
    slowest = [(tid, st, float(secs or 0), created.isoformat() if hasattr(created, "isoformat") else str(created))
               for tid, st, secs, created in conn.execute(
                   select(t.id, t.status, waited, t.created_at)
                   .where(*in_range, t.status.in_(("completed", "failed", "pending")))
                   .order_by(waited.desc()).limit(SLOWEST_SHOWN)).all()]
    return status, buckets, slowest


def _chain(conn: Connection, keys: Keyring) -> Chain:
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    newest = audit_checkpoints.recent(conn, 1).checkpoints
    checkpoint = newest[0] if newest else None
    start = checkpoint if checkpoint is not None and checkpoint.seq >= head.anchor_seq else None
    start_seq = start.seq if start else head.anchor_seq
    checked, tail_ok, first_bad = 0, None, None
    # more than that since a checkpoint (none signed for long): the Verify page walks it all
    if head.seq - start_seq <= MAX_TAIL:
        done = walk(conn, keys.audit_chain, start_seq, start.hash if start else head.anchor_hash, upto=head.seq)
        checked = done.checked
        tail_ok = done.bad_seq is None and (done.last_seq, done.last_hash) == (head.seq, head.hash)
        first_bad = done.bad_seq if done.bad_seq is not None else (None if tail_ok else head.seq)
    last = conn.execute(
        select(audit_events.c.at, audit_events.c.detail).where(audit_events.c.type == "auditor.verify")
        .order_by(audit_events.c.seq.desc()).limit(1)).first()
    full = None
    if last is not None:
        detail = json.loads(last.detail)
        full = {"at": last.at, "auditor": detail.get("auditor"), "ok": detail.get("ok"),
                "checked": detail.get("checked"), "first_bad_seq": detail.get("first_bad_seq")}
    return Chain(head.seq, head.anchor_seq, checkpoint, checked, tail_ok, first_bad, full)


def gather(conn: Connection, keys: Keyring, now: dt.datetime, days: int = DEFAULT_DAYS) -> Overview:
    """The overview of the `days` UTC days up to and including today."""
    days = max(1, min(days, MAX_DAYS))
    today = now.astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), dt.UTC)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC)
    labels = [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]
    e = audit_events.c
    day = _day(conn, e.at).label("day")
    family = _family().label("family")
    families = _per_day(conn.execute(
        select(family, day, func.count()).where(*_range(since, until)).group_by(family, day)).all(),
        labels, (*FAMILIES, "other"))
    security = _per_day(conn.execute(
        select(e.type, day, func.count()).where(*_range(since, until), e.type.in_(SECURITY_TYPES))
        .group_by(e.type, day)).all(), labels, SECURITY_TYPES)
    by_type = {name: func.sum(case((e.type == name, 1), else_=0)) for name in SECURITY_TYPES}
    devices = [(device or "—", user or "—", int(pin or 0), int(otp or 0), int(lock or 0))
               for device, user, pin, otp, lock in conn.execute(
                   select(e.device_id, e.user_id, *by_type.values())
                   .where(*_range(since, until), e.type.in_(SECURITY_TYPES))
                   .group_by(e.device_id, e.user_id)
                   .order_by((by_type["auth.pin.failed"] + by_type["auth.otp.failed"]).desc()).limit(10)).all()]
    bank, outcome = _detail_field(conn, "adapter").label("bank"), _detail_field(conn, "outcome").label("outcome")
    partner_rows = conn.execute(
        select(bank, outcome, func.count()).where(*_range(since, until), e.type.startswith("partner."))
        .group_by(bank, outcome)).all()
    partner_errors: dict[str, dict[str, int]] = {}
    partner_calls: dict[str, int] = {}
    for name, result, n in partner_rows:
        name = str(name or "?")
        partner_calls[name] = partner_calls.get(name, 0) + int(n)
        if result != "ok":
            partner_errors.setdefault(name, {})[str(result or "?")] = int(n)
    status, buckets, slowest = _transfers(conn, since, until, now)
    return Overview(
        since=first, days=labels, families=families, security=security, security_devices=devices,
        transfer_status=status, settle_buckets=buckets, slowest=slowest, partner_errors=partner_errors,
        partner_calls=partner_calls, chain=_chain(conn, keys),
        totals={"events": sum(map(sum, families.values())), "transfers": sum(status.values())},
    )

