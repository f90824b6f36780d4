"""What account linking keeps: clients, link codes, authorisation codes and tokens, each
code, secret and token only as its keyed hash (HMAC-SHA256 under a key derived from the
master secret, like auditor tokens): a stolen database links no assistant to anyone."""
from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from banking.platform.security import crypto
from banking.platform.security.keys import Keyring
from banking.platform.services import Services
from banking.platform.store import insert_ignore
from banking.platform.store.tables import (
    link_codes,
    link_failures,
    oauth_clients,
    oauth_codes,
    oauth_tokens,
    sessions,
    users,
)

LINK_CODE_DIGITS = 8
LINK_CODE_TTL = dt.timedelta(minutes=10)
MAX_WRONG_LINK_CODES = 5
AUTH_CODE_TTL = dt.timedelta(minutes=5)
ACCESS_TOKEN_TTL_S = 3600


class LinkError(Exception):
    """An operator's request that cannot be done; the message names no secret."""


@functools.lru_cache(maxsize=8)
def pepper(keys: Keyring) -> bytes:
    """The key of every keyed hash account linking and the assistant channels make."""
    return keys.derive("assistant-oauth")


def digest(keys: Keyring, kind: str, value: str) -> str:
    return crypto.keyed_hash(pepper(keys), kind, value)


# -- clients

@dataclass(frozen=True)
class Client:
    """A registered assistant, as Authlib's `ClientMixin` asks about it."""

    client_id: str
    secret_hash: str
    redirect_uris: tuple[str, ...]
    keys: Keyring

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(self.keys, "client-secret", client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


def add_client(conn: Connection, services: Services, name: str, secret: str, redirect_uris: list[str]) -> None:
    if not redirect_uris:
        raise LinkError("give at least one --redirect-uri")
    row = {"id": name, "secret_hash": digest(services.keys, "client-secret", secret),
           "redirect_uris": json.dumps(redirect_uris), "created_at": services.clock()}
    if not insert_ignore(conn, oauth_clients, row):
        raise LinkError(f"assistant {name} already exists")


def find_client(conn: Connection, services: Services, client_id: str) -> Client | None:
    row = conn.execute(select(oauth_clients).where(oauth_clients.c.id == client_id)).first()
    if row is None:
        return None
    return Client(row.id, row.secret_hash, tuple(json.loads(row.redirect_uris)), services.keys)


# -- link codes (CONTRACT §7.1): issued by an operator, typed by the person on the linking page

def issue_link_code(conn: Connection, services: Services, user_id: str) -> str:
    if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
        raise LinkError(f"no user {user_id}")
    code = f"{secrets.randbelow(10 ** LINK_CODE_DIGITS):0{LINK_CODE_DIGITS}d}"
    conn.execute(insert(link_codes).values(code_hash=digest(services.keys, "link-code", user_id + ":" + code),
                                           user_id=user_id, expires_at=services.clock() + LINK_CODE_TTL))
    return code


def redeem_link_code(conn: Connection, services: Services, user_id: str, code: str) -> bool:
    """Spend a right code; count a wrong one, and at the fifth void every code of the user."""
    now = services.clock()
    if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
        return False
    spent = conn.execute(delete(link_codes).where(
        link_codes.c.code_hash == digest(services.keys, "link-code", user_id + ":" + code),
        link_codes.c.user_id == user_id, link_codes.c.expires_at > now)).rowcount == 1
    if spent:
        conn.execute(delete(link_failures).where(link_failures.c.user_id == user_id))
        return True
    insert_ignore(conn, link_failures, {"user_id": user_id, "wrong": 0})
    # one conditional statement: parallel wrong tries each count (as with PINs)
    conn.execute(update(link_failures).where(link_failures.c.user_id == user_id)
                 .values(wrong=link_failures.c.wrong + 1))
    wrong = conn.execute(select(link_failures.c.wrong).where(link_failures.c.user_id == user_id)).scalar_one()
    if wrong >= MAX_WRONG_LINK_CODES:
        conn.execute(delete(link_codes).where(link_codes.c.user_id == user_id))
        conn.execute(delete(link_failures).where(link_failures.c.user_id == user_id))
    return False


# -- authorisation codes

@dataclass(frozen=True)
class AuthorizationCode:
    """A code claimed for one token request (Authlib's `AuthorizationCodeMixin`)."""

    user_id: str
    redirect_uri: str
    scope: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


def save_code(conn: Connection, services: Services, code: str, client_id: str, user_id: str,
              redirect_uri: str, scope: str) -> None:
    conn.execute(insert(oauth_codes).values(
        code_hash=digest(services.keys, "auth-code", code), client_id=client_id, user_id=user_id,
        redirect_uri=redirect_uri, scope=scope, expires_at=services.clock() + AUTH_CODE_TTL))


def claim_code(conn: Connection, services: Services, code: str, client_id: str) -> AuthorizationCode | None:
    """The code, used up by this very call (single use even for racing requests), or None."""
    now = services.clock()
    code_hash = digest(services.keys, "auth-code", code)
    claimed = conn.execute(update(oauth_codes).where(
        oauth_codes.c.code_hash == code_hash, oauth_codes.c.client_id == client_id,
        oauth_codes.c.used_at.is_(None), oauth_codes.c.expires_at > now).values(used_at=now)).rowcount == 1
    if not claimed:
        return None
    row = conn.execute(select(oauth_codes).where(oauth_codes.c.code_hash == code_hash)).one()
    return AuthorizationCode(row.user_id, row.redirect_uri, row.scope)


# -- tokens

@dataclass(frozen=True)
class Link:
    """An assistant account linked to a user, as a valid access token shows it."""

    user_id: str
    client_id: str


@dataclass(frozen=True)
class RefreshCredential:
    """An unrevoked refresh token's row, as Authlib's refresh grant asks about it; it lives
    until it is used or revoked."""

    token_id: int
    user_id: str
    client_id: str
    scope: str

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope


def save_token(conn: Connection, services: Services, token: dict[str, object], client_id: str,
               user_id: str) -> None:
    now = services.clock()
    refresh = token.get("refresh_token")
    conn.execute(insert(oauth_tokens).values(
        access_hash=digest(services.keys, "access-token", str(token["access_token"])),
        refresh_hash=digest(services.keys, "refresh-token", str(refresh)) if refresh else None,
        client_id=client_id, user_id=user_id, scope=str(token.get("scope") or ""), issued_at=now,
        expires_at=now + dt.timedelta(seconds=int(str(token.get("expires_in", ACCESS_TOKEN_TTL_S))))))


def find_refresh(conn: Connection, services: Services, refresh_token: str) -> RefreshCredential | None:
    row = conn.execute(select(oauth_tokens).where(
        oauth_tokens.c.refresh_hash == digest(services.keys, "refresh-token", refresh_token),
        oauth_tokens.c.revoked_at.is_(None))).first()
    return None if row is None else RefreshCredential(row.id, row.user_id, row.client_id, row.scope)


def revoke_token(conn: Connection, services: Services, token_id: int) -> bool:
    """Revoke a refreshed token; False when a racing refresh revoked it first."""
    return conn.execute(update(oauth_tokens).where(oauth_tokens.c.id == token_id, oauth_tokens.c.revoked_at.is_(None))
                        .values(revoked_at=services.clock())).rowcount == 1


def find_link(conn: Connection, services: Services, access_token: str) -> Link | None:
    row = conn.execute(select(oauth_tokens.c.user_id, oauth_tokens.c.client_id).where(
        oauth_tokens.c.access_hash == digest(services.keys, "access-token", access_token),
        oauth_tokens.c.revoked_at.is_(None), oauth_tokens.c.expires_at > services.clock())).first()
    return None if row is None else Link(row.user_id, row.client_id)


def unlink(conn: Connection, services: Services, user_id: str, client_id: str) -> int:
    """Revoke every token of the client for the user, and end the conversations of the
    assistant's devices (known as `<client>:…`): linking again starts afresh, never inside a
    session verified under the revoked link. Returns how many tokens were still valid."""
    revoked = conn.execute(update(oauth_tokens).where(
        oauth_tokens.c.user_id == user_id, oauth_tokens.c.client_id == client_id,
        oauth_tokens.c.revoked_at.is_(None)).values(revoked_at=services.clock())).rowcount
    conn.execute(update(sessions).where(sessions.c.user_id == user_id,
                                        sessions.c.device_id.startswith(client_id + ":", autoescape=True))
                 .values(verified_until=None, updated_at=_LONG_AGO))
    return revoked


#: what an ended conversation's last use is set to: any later turn on it starts over
_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
