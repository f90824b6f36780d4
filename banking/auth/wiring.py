"""What the auth feature adds to the app: `flask users …` (enrolment is never by voice)."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.auth.commands import users


def init_app(app: Flask, api: Api) -> None:
    del api  # device signatures are checked by the blueprints that need them
    app.cli.add_command(users)
