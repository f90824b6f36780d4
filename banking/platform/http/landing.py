"""`/`: a small page that says what the service is and links its consoles, docs and metrics;
and the favicon every page (and a browser asking `/favicon.ico` on its own) gets."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory

from banking.core import banks
from banking.platform.http.page_headers import harden
from banking.platform.services import current

bp = Blueprint("landing", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/platform")
harden(bp)


@bp.get("/")
def landing() -> str:
    return render_template("landing/index.html", demo=current().settings.demo_helpers,
                           banks=banks.installed().banks)


@bp.get("/favicon.ico")
def favicon() -> Response:
    response = send_from_directory(bp.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
