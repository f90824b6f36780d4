"""What the demo adds to the app: `flask seed-demo` and `flask demo otp`."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.demo.commands import demo, seed_demo


def init_app(app: Flask, api: Api) -> None:
    del api
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo)
