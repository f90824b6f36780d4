"""The HTTP platform every feature's API stands on: flask-smorest (whose marshmallow schemas
are also the source of `openapi.yaml`), request ids, access lines and metrics, body limits,
the error envelope, and the platform's own routes (liveness, readiness, metrics, docs).
Features register their blueprints on the `Api` that `init_app` returns."""
from __future__ import annotations

import copy
import time
import uuid
from http import HTTPStatus
from typing import Any

import structlog
from apispec import BasePlugin
from flask import Flask, g, request, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

from banking.platform import metrics
from banking.platform.http import docs, errors, health, landing, ops, streamed_body

log = structlog.get_logger("couchbank.access")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_BODY = 64 * 1024

#: a device request carries four headers (CONTRACT §3); OpenAPI has no multi-header scheme,
#: so each is an apiKey scheme and operations require all four together (docs.DEVICE_SECURITY)
_DEVICE_HEADERS = {
    "DeviceId": ("X-Device-Id", "The device id: 1 to 64 printable ASCII characters, e.g. demo-tv."),
    "DeviceTimestamp": ("X-Timestamp", "Unix time in whole seconds; within 300 s of the server's clock."),
    "DeviceNonce": ("X-Nonce", "A fresh random string of 16 to 64 characters [A-Za-z0-9_-], "
                               "single use per device."),
    "DeviceSignature": ("X-Signature", "Lowercase hex HMAC-SHA256, keyed with the device secret, over "
                                       "METHOD\\nPATH\\nX-Timestamp\\nX-Nonce\\nhex(SHA-256(body)) "
                                       "(PATH without the query string; an empty body hashes zero bytes)."),
}

SPEC_OPTIONS = {
    "info": {
        "description": "couchbank: a voice banking skill service. Devices sign every request "
        "with four headers (X-Device-Id, X-Timestamp, X-Nonce and the HMAC-SHA256 X-Signature: the "
        "DeviceId, DeviceTimestamp, DeviceNonce and DeviceSignature schemes, always together); "
        "auditors send a bearer token (AuditorToken). Every error answers "
        "{\"error\": {\"code\", \"message\", \"fields\"}}.",
    },
    "components": {
        "securitySchemes": {
            **{scheme: {"type": "apiKey", "in": "header", "name": header, "description": text}
               for scheme, (header, text) in _DEVICE_HEADERS.items()},
            "AuditorToken": {"type": "http", "scheme": "bearer",
                             "description": "An auditor's token (the demo auditor's is demo-auditor-token)."},
        }
    },
}


class _ResponseDescriptions(BasePlugin):
    """OpenAPI requires a description on every response, and a response documented through
    `blp.doc(responses=...)` (how a non-JSON body is described) replaces flask-smorest's own,
    description included: fill in the status phrase where one is missing."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if isinstance(response, dict) and "$ref" not in response and "description" not in response:
                    response["description"] = HTTPStatus(int(status)).phrase if str(status).isdigit() else "Error"


class CouchbankApi(Api):
    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):  # type: ignore[override]
        return errors.http_error(error)


def _request_id() -> None:
    g.started = time.perf_counter()
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _echo_request_id(response):  # type: ignore[no-untyped-def]
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def _access(response):  # type: ignore[no-untyped-def]
    """One line per request: method, path without the query string, status, duration; never
    the body or the headers (they carry utterances, PINs and signatures)."""
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    method = request.method if request.method in _METHODS else "OTHER"
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    metrics.HTTP_RESPONSES.labels(method, route, str(response.status_code)).inc()
    metrics.HTTP_SECONDS.labels(route).observe(elapsed)
    log.info("access", method=method, path=request.path, status=response.status_code,
             duration_ms=round(elapsed * 1000, 1))
    return response


def _forget_request(_error: BaseException | None = None) -> None:
    # a pooled thread must not lend this request's id to whatever it logs next
    structlog.contextvars.clear_contextvars()


def init_app(app: Flask) -> Api:
    app.config.update(
        API_TITLE="couchbank",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        # a copy per app: apispec writes each spec's components into these options, and the
        # next app's spec would keep them (its banks may differ: CONTRACT §10)
        API_SPEC_OPTIONS=copy.deepcopy(SPEC_OPTIONS),
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    app.wsgi_app = streamed_body.StreamedBody(app.wsgi_app, MAX_BODY)  # type: ignore[method-assign]
    api = CouchbankApi(app, spec_kwargs={"extra_plugins": [_ResponseDescriptions()]})
    api.ma_plugin.converter.add_attribute_function(docs.late_examples)
    errors.register(app)
    app.before_request(_request_id)
    app.before_request(streamed_body.refuse_unfit)
    app.after_request(_echo_request_id)
    app.after_request(_access)
    app.teardown_request(_forget_request)

    @app.get("/docs/assets/<path:filename>")
    def swagger_assets(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_path, filename)

    for module in (health, ops):
        api.register_blueprint(module.blp)
    app.register_blueprint(landing.bp)  # a page, not part of the API document
    return api
