"""What the voice feature adds to the app: `POST /v1/voice/turn`, the speaker console (only
outside production) and `flask talk`."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.platform.services import EXTENSION
from banking.voice import api as voice_api, console
from banking.voice.talk import talk


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(voice_api.blp)
    if app.extensions[EXTENSION].settings.demo_helpers:
        app.register_blueprint(console.bp)
    app.cli.add_command(talk)
