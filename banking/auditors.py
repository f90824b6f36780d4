"""Auditor accounts and their bearer tokens (stored as keyed hashes, shown once)."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Connection, select, update

from banking.security import crypto
from banking.security.keys import Keyring
from banking.store.tables import auditors


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


def authenticate(conn: Connection, keys: Keyring, token: str) -> str | None:
    """The auditor's name for an active token, else None. The lookup is by keyed hash, so
    no token is compared character by character."""
    row = conn.execute(select(auditors.c.name).where(
        auditors.c.token_hash == token_hash(keys, token), auditors.c.revoked_at.is_(None))).first()
    return row.name if row else None
