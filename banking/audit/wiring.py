"""What the audit feature adds to the app: the auditors' API (`/v1/audit/…`), their console
(`/audit`) and `flask audit …` / `flask auditors …`."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.audit import api as audit_api, console
from banking.audit.commands import audit, auditors


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(audit_api.blp)
    app.register_blueprint(console.bp)
    app.cli.add_command(audit)
    app.cli.add_command(auditors)
