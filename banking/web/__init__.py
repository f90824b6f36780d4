"""Server-rendered pages: the auditors' console (/audit) and the speaker console (/console).
Everything they load is served by the app itself (no CDN)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from banking.web import audit_console, speaker_console

    app.register_blueprint(audit_console.bp)
    speaker_console.init_app(app)
