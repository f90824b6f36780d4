"""Fixtures of the assistant channels: a throwaway PKI for the fake Alexa, and the service
configured to trust it (COUCHBANK_ALEXA_TRUST_ROOTS, COUCHBANK_ALEXA_CERT_CACHE)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from adapters.sandbox.testing import SandboxUrls, running_sandboxes
from tests.conftest import _build_app, _observe
from tests.integration.assistants.fakes import CERT_URL, NUGU_TOKEN, SKILL_ID, Authority, FakeAlexa, Pki, cache_name
from tests.support import flask_transport


@pytest.fixture(scope="module")
def sandbox_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("assistant-banks")


@pytest.fixture(scope="module")
def sandboxes(sandbox_data_dir: Path) -> Iterator[SandboxUrls]:
    """Banks of their own: the flows here move hundreds of thousands of won, which the
    session's shared sandboxes keep for the device tests' balances."""
    with running_sandboxes(sandbox_data_dir) as urls:
        yield urls


@pytest.fixture(scope="session")
def alexa_root() -> Authority:
    return Authority.make()


@pytest.fixture(scope="session")
def alexa_leaf(alexa_root: Authority) -> Any:
    return alexa_root.issue()


@pytest.fixture
def pki(tmp_path: Path, alexa_root: Authority, alexa_leaf: Any) -> Pki:
    roots = tmp_path / "alexa-roots.pem"
    roots.write_bytes(alexa_root.pem())
    cache = tmp_path / "alexa-certs"
    cache.mkdir()
    (cache / cache_name(CERT_URL)).write_bytes(alexa_leaf.chain_pem(alexa_root))
    return Pki(alexa_root, alexa_leaf, roots, cache)


def assistant_settings(pki: Pki) -> dict[str, Any]:
    return {"alexa_skill_id": SKILL_ID, "alexa_trust_roots": pki.roots_file, "alexa_cert_cache": pki.cache_dir,
            "nugu_token": NUGU_TOKEN}


@pytest.fixture
def app(tmp_path: Path, database_url: str, memory_partners: Any, pki: Pki) -> Iterator[Any]:
    """The service with in-memory partners, trusting the fake Alexa's PKI."""
    app = _build_app(tmp_path, database_url, memory_partners, **assistant_settings(pki))
    yield app
    _observe(app)
    app.extensions["couchbank"].close()


@pytest.fixture
def fake_alexa(client: Any, pki: Pki) -> FakeAlexa:
    transport = flask_transport(client)
    return FakeAlexa(lambda path, body, headers: transport("POST", path, body, headers), pki.leaf)
