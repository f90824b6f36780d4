"""What the transfers feature adds to the app: `GET /v1/transfers[/<id>]`."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.transfers import api as transfers_api


def init_app(app: Flask, api: Api) -> None:
    del app  # no pages or commands of its own
    api.register_blueprint(transfers_api.blp)
