"""Fixtures: every database test runs on SQLite and, when DATABASE_URL names a PostgreSQL
server, again on a fresh PostgreSQL database (skipped otherwise)."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import settings

from adapters import registry
from adapters.memory import MemoryAdapter
from banking import bootstrap
from banking.platform.partners import Partners
from tests.support import HAS_PG, Device, flask_transport, fresh_pg_database, http_transport, make_settings

pytest_plugins = ["adapters.sandbox.pytest_plugin", "tests.leak_scan"]

# every line the code can write, debug included, goes past the leak scan
os.environ.setdefault("COUCHBANK_LOG_LEVEL", "debug")

# CI explores the same examples every run (a red build must be reproducible); locally,
# hypothesis keeps exploring new ones
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def installed_banks() -> None:
    """The installed partners' catalogue, as every process installs it at start: pure tests
    of speech and understanding read it without making an app."""
    bootstrap.install_banks()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'couchbank.sqlite3'}"
        return
    if not HAS_PG:
        pytest.skip("PostgreSQL tests need DATABASE_URL=postgresql+psycopg://...")
    url, drop = fresh_pg_database()
    yield url
    drop()


@pytest.fixture
def memory_partners() -> Partners:
    """An in-memory partner for every installed bank (the catalogue's)."""
    return Partners({bank.code: MemoryAdapter(bank.code) for bank in registry.catalogue()})


@pytest.fixture
def sandbox_partners(sandbox_faults_cleared: Any, sandbox_data_dir: Path) -> Partners:
    """Adapters over real HTTP to the session's sandbox processes, one per installed bank."""
    return Partners({bank: registry.create(bank, base_url=sandbox_faults_cleared[bank], timeout_s=2.0,
                                           data_dir=sandbox_data_dir) for bank in sandbox_faults_cleared})


def _observe(app: Any) -> None:
    from tests import leak_scan  # imported late: it is also a plugin, registered above

    leak_scan.observe_audit(app.extensions["couchbank"])


def _build_app(tmp_path: Path, database_url: str, partners: Partners | None, **overrides: Any):
    from app import create_app
    from banking.demo.seed import seed_demo_if_empty
    from banking.platform.services import EXTENSION

    app = create_app(make_settings(tmp_path, database_url, **overrides), partners=partners)
    app.config["TESTING"] = True
    seed_demo_if_empty(app.extensions[EXTENSION])
    return app


@pytest.fixture
def app(tmp_path: Path, database_url: str, memory_partners: Partners) -> Iterator[Any]:
    """The service with the demo household seeded and in-memory partners."""
    app = _build_app(tmp_path, database_url, memory_partners)
    yield app
    _observe(app)
    app.extensions["couchbank"].close()


@pytest.fixture
def services(app: Any) -> Any:
    return app.extensions["couchbank"]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def device(client: Any) -> Device:
    return Device(flask_transport(client))


class LiveServer:
    def __init__(self, app: Any) -> None:
        from app import make_wsgi_server  # the server `python app.py` runs, its error pages included

        self.server = make_wsgi_server("127.0.0.1", 0, app)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_app_factory(tmp_path: Path, database_url: str) -> Iterator[Any]:
    """Builds the service over real HTTP: `factory(partners=None, **settings)` -> (app, url)."""
    started: list[tuple[Any, LiveServer]] = []

    def factory(partners: Partners | None = None, **overrides: Any) -> tuple[Any, str]:
        app = _build_app(tmp_path, database_url, partners, **overrides)
        server = LiveServer(app)
        started.append((app, server))
        return app, server.url

    yield factory
    for app, server in started:
        server.stop()
        _observe(app)
        app.extensions["couchbank"].close()


@pytest.fixture
def http_device() -> Any:
    return lambda url: Device(http_transport(url))
