"""What the notices feature adds to the app: `GET /v1/notices`."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.notices import api as notices_api


def init_app(app: Flask, api: Api) -> None:
    del app  # no pages or commands of its own
    api.register_blueprint(notices_api.blp)
