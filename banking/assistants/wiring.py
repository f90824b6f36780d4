"""What the assistants feature adds to the app: the Alexa and NUGU channels, the OAuth 2.0
authorisation server for account linking, and `flask assistants …`. A new assistant is
one module with its blueprint, registered here."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from banking.assistants import nugu
from banking.assistants.alexa import api as alexa_api
from banking.assistants.alexa.verify import Verifier
from banking.assistants.commands import assistants
from banking.assistants.oauth import server, views
from banking.platform.services import EXTENSION

CHANNELS = (alexa_api.blp, nugu.blp)


def init_app(app: Flask, api: Api) -> None:
    settings = app.extensions[EXTENSION].settings
    app.extensions["couchbank.alexa"] = Verifier(settings.alexa_skill_id, settings.alexa_trust_roots,
                                                 settings.alexa_cert_cache)
    app.extensions["couchbank.oauth"] = server.make_server(app)
    api.spec.components.security_scheme(nugu.SECURITY_SCHEME, {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`token <COUCHBANK_NUGU_TOKEN>`: what NUGU's backend proxy sends (CONTRACT §7.3)."})
    for blueprint in CHANNELS:
        api.register_blueprint(blueprint)
    app.register_blueprint(views.bp)
    app.cli.add_command(assistants)
