"""The speaker console at /console: plays the demo TV in a browser."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registered only with the demo/development setting (see issue 7)."""
