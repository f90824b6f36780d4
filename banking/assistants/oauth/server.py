"""Authlib's Flask authorisation server over `store`: the authorisation code grant (codes
single use, 5 minutes) and the refresh token grant (each refresh revokes the token it
replaces). Authlib does the protocol (client authentication by Basic or form, redirect URI
rules, RFC 6749 §5.2 errors); couchbank keeps the records."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError
from flask import Flask

from banking.assistants.oauth import store
from banking.platform.services import current

_CLIENT_AUTH = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class LinkedUser:
    user_id: str

    def get_user_id(self) -> str:
        return self.user_id


def _query_client(client_id: str) -> store.Client | None:
    services = current()
    with services.db.read() as conn:
        return store.find_client(conn, services, client_id)


def _save_token(token: dict[str, Any], request: Any) -> None:
    services = current()
    with services.db.begin() as conn:
        store.save_token(conn, services, token, request.client.client_id, request.user.user_id)


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = _CLIENT_AUTH

    def save_authorization_code(self, code: str, request: Any) -> None:
        services = current()
        with services.db.begin() as conn:
            store.save_code(conn, services, code, request.client.client_id, request.user.user_id,
                            request.payload.redirect_uri or request.client.get_default_redirect_uri(),
                            request.payload.scope or "")

    def query_authorization_code(self, code: str, client: store.Client) -> store.AuthorizationCode | None:
        services = current()
        with services.db.begin() as conn:
            return store.claim_code(conn, services, code, client.client_id)

    def delete_authorization_code(self, authorization_code: store.AuthorizationCode) -> None:
        pass  # `claim_code` used it up as it was read

    def authenticate_user(self, authorization_code: store.AuthorizationCode) -> LinkedUser:
        return LinkedUser(authorization_code.user_id)


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = _CLIENT_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> store.RefreshCredential | None:
        services = current()
        with services.db.read() as conn:
            return store.find_refresh(conn, services, refresh_token)

    def authenticate_user(self, refresh_token: store.RefreshCredential) -> LinkedUser:
        return LinkedUser(refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: store.RefreshCredential) -> None:
        services = current()
        with services.db.begin() as conn:
            if not store.revoke_token(conn, services, refresh_token.token_id):
                raise InvalidGrantError("The refresh token was already used.")


def make_server(app: Flask) -> AuthorizationServer:
    # Authlib logs every token it issues at DEBUG: like the other libraries (`platform.logs`),
    # it speaks only from WARNING up, whatever COUCHBANK_LOG_LEVEL says
    logging.getLogger("authlib").setLevel(logging.WARNING)
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": store.ACCESS_TOKEN_TTL_S,
                                                      "refresh_token": store.ACCESS_TOKEN_TTL_S})
    server = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
    server.register_grant(_CodeGrant)
    server.register_grant(_RefreshGrant)
    return server
