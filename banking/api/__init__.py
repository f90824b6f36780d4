"""The HTTP edge: flask-smorest blueprints whose marshmallow schemas are also the source of
`openapi.yaml`, device signatures, auditor tokens and the error envelope."""
from __future__ import annotations

import uuid

import structlog
from flask import Flask, g, request, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

from banking.api import errors

SPEC_OPTIONS = {
    "info": {
        "description": "couchbank: a voice banking skill service. Devices sign every request "
        "(HMAC-SHA256, see the DeviceSignature scheme); auditors use a bearer token.",
    },
    "components": {
        "securitySchemes": {
            "DeviceSignature": {
                "type": "apiKey", "in": "header", "name": "X-Signature",
                "description": "Lowercase hex HMAC-SHA256, keyed with the device secret, over "
                "METHOD\\nPATH\\nX-Timestamp\\nX-Nonce\\nhex(SHA-256(body)); sent together "
                "with X-Device-Id, X-Timestamp (Unix seconds, within 300 s) and X-Nonce "
                "(16 to 64 of [A-Za-z0-9_-], single use).",
            },
            "AuditorToken": {"type": "http", "scheme": "bearer"},
        }
    },
}


class CouchbankApi(Api):
    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):  # type: ignore[override]
        return errors.http_error(error)


def _request_id() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _echo_request_id(response):  # type: ignore[no-untyped-def]
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def init_app(app: Flask) -> Api:
    app.config.update(
        API_TITLE="couchbank",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        API_SPEC_OPTIONS=SPEC_OPTIONS,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    api = CouchbankApi(app)
    errors.register(app)
    app.before_request(_request_id)
    app.after_request(_echo_request_id)

    @app.get("/docs/assets/<path:filename>")
    def swagger_assets(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_path, filename)

    from banking.api import audit, health, transfers, voice

    for module in (health, voice, transfers, audit):
        api.register_blueprint(module.blp)
    return api
