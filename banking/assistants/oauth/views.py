"""`/oauth/authorize` (the linking page) and `/oauth/token` (CONTRACT §7.1).

The page is a plain HTML form: the person types their user id and a link code an operator
issued (`flask users link-code`). CSRF is a double-submit token: a random cookie, and in
the form its HMAC under a key derived from the master secret, so a page of another origin
can neither read nor forge the pair."""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749.errors import OAuth2Error
from flask import Blueprint, Response, current_app, make_response, render_template, request

from banking.assistants.oauth import store
from banking.assistants.oauth.server import LinkedUser
from banking.platform.security import crypto
from banking.platform.services import current

bp = Blueprint("oauth", __name__, url_prefix="/oauth", template_folder="../templates")

CSRF_COOKIE = "couchbank_link_csrf"
_USER_ID_MAX = 64
_CODE_MAX = 32


def _server() -> AuthorizationServer:
    server: AuthorizationServer = current_app.extensions["couchbank.oauth"]
    return server


def _csrf_of(cookie: str) -> str:
    return crypto.keyed_hash(store.pepper(current().keys), "link-csrf", cookie)


def _page(template: str, status: int, *, form_target: str | None = None, **context: object) -> Response:
    response = make_response(render_template(template, **context), status)
    # the form posts here and is then redirected to the assistant: Chromium applies
    # form-action to that redirect too, so the redirect URI's origin is allowed as well
    targets = " ".join(["'self'", *([form_target] if form_target else [])])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'self'; form-action {targets}; frame-ancestors 'none'; base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _origin(uri: str) -> str | None:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _form(grant: object, error: str | None, status: int = 200) -> Response:
    cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    redirect_uri = getattr(grant, "redirect_uri", None) or ""
    response = _page("assistants/link.html", status, form_target=_origin(redirect_uri), error=error,
                     client_id=request.values.get("client_id", ""), csrf=_csrf_of(cookie),
                     action=request.full_path.rstrip("?"))
    response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="Strict", secure=request.is_secure,
                        path="/oauth/authorize", max_age=1800)
    return response


def _refused(error: OAuth2Error) -> Response:
    return _page("assistants/link_error.html", 400, error=error.error, description=error.description or "")


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> Response:
    server = _server()
    try:
        # an unknown client or a redirect URI not registered for it is never redirected to
        grant = server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return _refused(error)
    if request.method == "GET":
        return _form(grant, None)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.form.get("csrf", "")
    if not cookie or not hmac.compare_digest(_csrf_of(cookie), sent):
        return _form(grant, "The form expired; please try again.", 400)
    user_id = request.form.get("user_id", "").strip()[:_USER_ID_MAX]
    code = request.form.get("link_code", "").strip()[:_CODE_MAX]
    services = current()
    linked = False
    if user_id and code.isdigit():
        with services.db.begin() as conn:
            linked = store.redeem_link_code(conn, services, user_id, code)
    elif user_id:
        with services.db.begin() as conn:
            store.redeem_link_code(conn, services, user_id, "-")  # counts as a wrong code
    if not linked:
        return _form(grant, "That user id and link code do not match. Please check them and try again.")
    response: Response = server.create_authorization_response(grant_user=LinkedUser(user_id), grant=grant)
    response.delete_cookie(CSRF_COOKIE, path="/oauth/authorize")
    return response


@bp.route("/token", methods=["POST"])
def token() -> Response:
    response: Response = _server().create_token_response()
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
