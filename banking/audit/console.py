"""The auditors' web console at /audit: sign in with an auditor token, search and page through
events, open one, run verify (also against a checkpoint kept off-host), list the signed
checkpoints, download an export. Server-rendered (Jinja autoescapes every
event value), a little JavaScript, everything served by the app itself."""
from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup

from banking.audit import auditors, charts, overview as audit_overview
from banking.audit.actions import Desk
from banking.audit.download import download
from banking.audit.export import FORMATS
from banking.audit.query import Filters
from banking.audit.schemas import EventQuerySchema, ExportQuerySchema, KeptCheckpointSchema
from banking.platform.http.page_headers import harden
from banking.platform.services import EXTENSION, current

bp = Blueprint("audit_console", __name__, url_prefix="/audit", template_folder="templates",
               static_folder="static", static_url_path="/static")
harden(bp)

IDLE = dt.timedelta(minutes=15)  # a forgotten console signs itself out
CHECKPOINTS_SHOWN = 20
OPEN_ENDPOINTS = {"audit_console.signin", "audit_console.static"}
FILTER_FIELDS = ("user_id", "device_id", "session_id", "type", "since", "until")
DAY_CHOICES = (7, 14, 30, 90)
SECURITY_NAMES = {"auth.pin.failed": "PIN failures", "auth.otp.failed": "OTP failures", "auth.lock": "lockouts"}


class _DerivedKeySessions(SecureCookieSessionInterface):
    """Signs session cookies with a key derived from the master secret: apart from the
    database, the same in every process sharing the master key, and derived on first use so
    that commands that need no key never load one."""

    def __init__(self) -> None:
        self._serializer: tuple[Any, Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            app.secret_key = app.extensions[EXTENSION].keys.derive("web-session")
        # Flask opens the session on every request, devices' included: build the serializer
        # once per key rather than on each of them
        if self._serializer is None or self._serializer[0] != app.secret_key:
            self._serializer = (app.secret_key, super().get_signing_serializer(app))
        return self._serializer[1]


@bp.record_once
def _session_cookie(state: BlueprintSetupState) -> None:
    app: Flask = state.app
    app.session_interface = _DerivedKeySessions()
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


@bp.app_template_filter("audit_json")
def audit_json(value: Any, indent: int | None = None) -> str:
    # plain text: the template escapes it, so a hostile detail value shows as text
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=None if indent else (",", ":"))


@bp.app_template_filter("audit_pairs")
def audit_pairs(detail: Any, limit: int = 80) -> list[tuple[str, str]]:
    """An event's detail as (key, value) text pairs for reading: strings as they are, other
    values as compact JSON, each cut to `limit` characters (the event page has it all)."""
    if not isinstance(detail, dict):
        return [("value", audit_json(detail))]
    pairs = []
    for key, value in detail.items():
        text = value if isinstance(value, str) else "—" if value is None else audit_json(value)
        pairs.append((str(key), text if len(text) <= limit else text[: limit - 1] + "…"))
    return pairs


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": _csrf_token}


def _forget() -> None:
    session.pop("auditor_id", None)
    session.pop("auditor", None)
    session.pop("seen", None)


@bp.before_request
def signed_in_auditor() -> Response | None:
    if request.method == "POST" and not secrets.compare_digest(request.form.get("csrf", ""), session.get("csrf", "")):
        abort(400, "The form has expired; reload the page and try again.")
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    now = dt.datetime.now(dt.UTC).timestamp()
    auditor = None
    if "auditor_id" in session and now - session.get("seen", 0) < IDLE.total_seconds():
        # re-checked on every request: a revoked auditor is out at once
        with current().db.read() as conn:
            auditor = auditors.active(conn, session["auditor_id"])
    if auditor is None:
        _forget()
        return redirect(url_for(".signin"))
    session["seen"] = now
    g.auditor = auditor
    return None


def desk() -> Desk:
    return Desk(current(), g.auditor.name, g.get("request_id"))


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    if request.method == "GET":
        return render_template("audit/signin.html", error=None)
    services = current()
    with services.db.read() as conn:
        auditor = auditors.identify(conn, services.keys, request.form.get("token", "").strip())
    if auditor is None:
        return render_template("audit/signin.html", error="That token is not an active auditor's."), 401
    session.clear()  # a fresh session (and CSRF token) on every sign-in
    session.update(auditor_id=auditor.id, auditor=auditor.name, seen=dt.datetime.now(dt.UTC).timestamp())
    Desk(services, auditor.name, g.get("request_id")).note("signin", {"via": "console"})
    return redirect(url_for(".events"))


@bp.post("/signout")
def signout() -> Any:
    desk().note("signout", {"via": "console"})
    session.clear()
    return redirect(url_for(".signin"))


def _query(schema: ma.Schema) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values, errors) from the query string; empty form fields count as absent."""
    given = {k: v for k, v in request.args.items() if v.strip()}
    try:
        return schema.load(given, unknown=ma.EXCLUDE), {}
    except ma.ValidationError as exc:
        return {}, exc.messages  # type: ignore[return-value]


@bp.get("/")
def events() -> Any:
    query, errors = _query(EventQuerySchema())
    page = None
    if not errors:
        page = desk().events(Filters.of(query), query["limit"], query.get("cursor"))
    form = {k: request.args.get(k, "") for k in (*FILTER_FIELDS, "limit")}
    kept = {k: v for k, v in form.items() if v}
    return render_template(
        "audit/events.html", page=page, errors=errors, form=form,
        next_url=url_for(".events", **kept, cursor=page.next_cursor) if page and page.next_cursor else None,
        first_url=url_for(".events", **kept) if request.args.get("cursor") else None,
        export_query={fmt: urlencode({**{k: v for k, v in kept.items() if k != "limit"}, "format": fmt})
                      for fmt in FORMATS},
    )


@bp.get("/overview")
def overview() -> Any:
    """Charts of the last days: events by family, PIN and OTP failures and lockouts, transfers
    by status and time to settle, partner errors by bank, and the chain's state."""
    asked = request.args.get("days", "")
    days = int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 3 else audit_overview.DEFAULT_DAYS
    found = desk().overview(max(1, min(days, audit_overview.MAX_DAYS)))
    return render_template("audit/overview.html", o=found, drawn=_charts(found), day_choices=DAY_CHOICES,
                           families=(*audit_overview.FAMILIES, "other"), max_tail=audit_overview.MAX_TAIL)


def _charts(found: audit_overview.Overview) -> dict[str, Markup]:
    families = (*audit_overview.FAMILIES, "other")
    outcomes = sorted({outcome for parts in found.partner_errors.values() for outcome in parts})
    return {
        "families": charts.stacked_columns("Events per day by family", found.days, found.families),
        "families_legend": charts.legend(families),
        "security": charts.lines("PIN failures, OTP failures and lockouts per day", found.days,
                                 {SECURITY_NAMES[k]: v for k, v in found.security.items()}),
        "security_legend": charts.legend(list(SECURITY_NAMES.values())),
        "status": charts.bars("Transfers by status",
                              [(status, {status: n}) for status, n in sorted(found.transfer_status.items())]),
        "settle": charts.bars("Settled transfers by time to settle",
                              [(label, {"settled": n}) for label, n in found.settle_buckets]),
        "partners": charts.bars("Partner calls that did not go well, by bank",
                                [(bank, found.partner_errors.get(bank, {})) for bank in sorted(found.partner_calls)]),
        "partners_legend": charts.legend(outcomes),
    }


@bp.get("/events/<int:seq>")
def event(seq: int) -> Any:
    found = desk().event(seq)
    if found is None:
        return render_template("audit/event.html", event=None, seq=seq), 404
    return render_template("audit/event.html", event=found, seq=seq)


def _kept_checkpoint(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the pasted checkpoint, or why it is not one)."""
    try:
        return KeptCheckpointSchema().load(json.loads(text)), None
    except (ValueError, RecursionError):
        return None, "The kept checkpoint is not JSON."
    except ma.ValidationError as exc:
        named = ", ".join(exc.messages) if isinstance(exc.messages, dict) else "its shape"
        return None, f"The kept checkpoint is not one as listed (check {named})."


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> Any:
    """Verify the chain (held to its newest signed checkpoint), or against a pasted kept one."""
    wants_json = request.accept_mimetypes.best == "application/json"
    result, error = None, None
    pasted = request.form.get("checkpoint", "").strip() if request.method == "POST" else ""
    if request.method == "POST":
        kept, error = _kept_checkpoint(pasted) if pasted else (None, None)
        if error is None:
            result = desk().verify_saved(kept) if kept is not None else desk().verify()
    if error is not None and wants_json:
        return jsonify({"error": {"code": "invalid_request", "message": error, "fields": None}}), 422
    if result is not None and wants_json:
        return jsonify({**result.as_dict(), "summary": result.summary()})
    listed = desk().checkpoints(CHECKPOINTS_SHOWN)
    return render_template("audit/verify.html", result=result, error=error, pasted=pasted,
                           checkpoints=listed.checkpoints), 422 if error else 200


@bp.get("/export")
def export() -> Any:
    query, errors = _query(ExportQuerySchema())
    if errors:
        abort(400, "The export filters are not valid.")
    return download(desk(), query)
