"""The committed spec is valid OpenAPI 3.0.3 and documents what the app serves: every /v1
route and the operational ones, with their security and the error envelope."""
from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from tests.contract.test_spec_sync import COMMITTED

DEVICE = {"DeviceId", "DeviceTimestamp", "DeviceNonce", "DeviceSignature"}
OPERATIONAL = ("/healthz", "/readyz", "/metrics")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method != "parameters"]


def _openapi_path(rule: str) -> str:
    # werkzeug `<string:transfer_id>` -> OpenAPI `{transfer_id}`
    import re

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_spec_validates(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_every_api_route_is_documented(app: Any, spec: dict[str, Any]) -> None:
    served = {(_openapi_path(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/v1/") or rule.rule in OPERATIONAL
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, method, _ in _operations(spec)}
    assert served - documented == set()


def test_security_is_declared(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert {schemes[name]["name"] for name in DEVICE} == {"X-Device-Id", "X-Timestamp", "X-Nonce", "X-Signature"}
    assert schemes["AuditorToken"] == {**schemes["AuditorToken"], "type": "http", "scheme": "bearer"}
    for path, method, op in _operations(spec):
        if path.startswith("/v1/audit/"):
            assert op["security"] == [{"AuditorToken": []}], (method, path)
        elif path == "/v1/assistants/alexa":
            # Amazon signs the body with a certificate chain (CONTRACT §7.2): no scheme of
            # OpenAPI's can say so, and declaring none is the honest answer
            assert "security" not in op or op["security"] == [], (method, path)
        elif path.startswith("/v1/assistants/nugu/"):
            assert op["security"] == [{"NuguToken": []}], (method, path)
        elif path.startswith("/v1/"):
            assert [set(requirement) for requirement in op["security"]] == [DEVICE], (method, path)
        else:
            assert "security" not in op, (method, path)


def test_every_error_response_is_the_envelope(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for path, method, op in _operations(spec):
        for status, response in op["responses"].items():
            if status.startswith(("2", "3")):
                continue
            response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]] \
                if "$ref" in response else response
            ref = response["content"]["application/json"]["schema"]["$ref"]
            body = schemas[ref.rsplit("/", 1)[1]]
            assert body["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
            assert "error" in body["required"]


def test_device_errors_are_documented(spec: dict[str, Any]) -> None:
    for path, method, op in _operations(spec):
        if path == "/v1/assistants/alexa":
            # a request Amazon did not sign is a 400 (CONTRACT §7.2)
            assert {"400", "429"} <= set(op["responses"]), (method, path)
        elif path.startswith("/v1/assistants/nugu/"):
            assert {"401", "429"} <= set(op["responses"]), (method, path)
        elif path.startswith("/v1/") and not path.startswith("/v1/audit/"):
            assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
    assert {"400", "413", "415", "422"} <= set(spec["paths"]["/v1/voice/turn"]["post"]["responses"])


def test_examples_come_from_the_demo_household(spec: dict[str, Any]) -> None:
    turn = spec["paths"]["/v1/voice/turn"]["post"]
    assert turn["requestBody"]["content"]["application/json"]["example"]["utterance"] == "엄마한테 5만원 보내줘"
    assert turn["responses"]["200"]["content"]["application/json"]["example"]["slots"]["payee"] == "엄마"
