"""Auditor accounts, their bearer tokens (stored as keyed hashes, shown once) and the record
of what each auditor does."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import Connection, select, update

from banking.audit.trail import Actor, AuditTrail
from banking.platform.security import crypto
from banking.platform.security.keys import Keyring
from banking.platform.store.tables import auditors


@dataclass(frozen=True)
class Auditor:
    id: int
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


def token_hash(keys: Keyring, token: str) -> str:
    return crypto.keyed_hash(keys.token_pepper, "auditor-token", token)


def add(conn: Connection, keys: Keyring, name: str, token: str | None = None) -> str:
    token = token or secrets.token_urlsafe(32)
    conn.execute(auditors.insert().values(name=name, token_hash=token_hash(keys, token),
                                          created_at=dt.datetime.now(dt.UTC)))
    return token


def revoke(conn: Connection, name: str) -> bool:
    return conn.execute(update(auditors).where(auditors.c.name == name, auditors.c.revoked_at.is_(None))
                        .values(revoked_at=dt.datetime.now(dt.UTC))).rowcount == 1


def _auditor(row: Any) -> Auditor:
    return Auditor(row.id, row.name, row.created_at, row.revoked_at)


def identify(conn: Connection, keys: Keyring, token: str) -> Auditor | None:
    """The active auditor holding `token`. The lookup is by keyed hash, so no token is
    compared character by character."""
    row = conn.execute(select(auditors).where(
        auditors.c.token_hash == token_hash(keys, token), auditors.c.revoked_at.is_(None))).first()
    return _auditor(row) if row else None


def active(conn: Connection, auditor_id: int) -> Auditor | None:
    """The auditor, while not revoked: a signed-in console session is re-checked with this."""
    row = conn.execute(select(auditors).where(auditors.c.id == auditor_id, auditors.c.revoked_at.is_(None))).first()
    return _auditor(row) if row else None


def all_auditors(conn: Connection) -> list[Auditor]:
    return [_auditor(row) for row in conn.execute(select(auditors).order_by(auditors.c.name))]


def record(conn: Connection, trail: AuditTrail, auditor: str, action: str, asked: Mapping[str, Any],
           request_id: str | None = None) -> int:
    """An auditor's action is itself an `auditor.<action>` event naming who asked what
    (filters, never a token)."""
    return trail.append(conn, f"auditor.{action}", {"auditor": auditor, **asked}, Actor(request_id=request_id))
