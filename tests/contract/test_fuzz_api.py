"""Contract fuzzing: schemathesis drives every documented operation in process (WSGI) with
data the spec allows and data it forbids, and checks every answer: no 500, every response
in its documented schema and status, forbidden input refused, valid input accepted, declared
auth enforced, 405 with Allow."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.contract.signing_proxy import SigningProxy, credentials_for
from tests.support import make_settings

MAX_EXAMPLES = 30


def _spec_app() -> Any:
    """An app only to serve /openapi.json while the schema loads (the spec needs no data)."""
    from app import create_app

    data_dir = Path(tempfile.mkdtemp(prefix="couchbank-spec-"))
    return create_app(make_settings(data_dir, f"sqlite:///{data_dir / 'spec.sqlite3'}"))


proxy = SigningProxy(_spec_app())
schema = schemathesis.openapi.from_wsgi("/openapi.json", proxy)
schema.config.generation.update(max_examples=MAX_EXAMPLES)
# schemathesis would also draw literals from the app's own modules: the demo PIN and the seeded
# account numbers would then arrive as auditors' search filters, which the trail records
schema.config.analysis.constants.enabled = False


@schema.auth(refresh_interval=None)
class DemoCredentials:
    """Explicit credentials per operation, so schemathesis also probes without them."""

    def get(self, case: Any, context: Any) -> str:
        return "demo"

    def set(self, case: Any, data: str, context: Any) -> None:
        security = case.operation.definition.raw.get("security", [])
        case.headers = {**(case.headers or {}), **credentials_for(security)}


@schema.hook
def map_case(context: Any, case: Any) -> Any:
    """An audit page cursor is opaque: only one the service issued is valid, which no schema
    can say. Schema-valid data gets a real cursor; forbidden data keeps its generated one."""
    from banking.audit.query import Cursor

    if (case.operation.label == "GET /v1/audit/events" and case.query and "cursor" in case.query
            and case.meta is not None and case.meta.generation.mode.is_positive):
        case.query["cursor"] = Cursor(0, 10**9).encode()
    return case


@pytest.fixture
def fuzzed_app(live_app_factory: Any, memory_partners: Any) -> Iterator[Any]:
    """The seeded service behind the signer; no per-device rate limit, which a fuzzer's
    burst would otherwise hit within seconds (429 is documented, but it would hide the rest)."""
    app, _url = live_app_factory(partners=memory_partners, device_requests_per_minute=10**9)
    previous, proxy.target = proxy.target, app
    yield app
    proxy.target = previous


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case: Any, fuzzed_app: Any) -> None:
    case.call_and_validate()
