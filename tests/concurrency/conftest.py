"""The multi-process suite: real service processes on a fresh PostgreSQL database
(`pytest -m concurrency`, or `-m postgres` as CI does); skipped without DATABASE_URL. Each
test module carries `pytestmark = CONCURRENCY`.

Starting the processes is what costs time, so one cluster serves the whole suite and every
test begins on a fresh day for the demo user (`Cluster.begin_test`) and looks only at what it
made itself."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.concurrency.cluster import Cluster, running_cluster
from tests.support import HAS_PG


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "concurrency: several real service processes on one PostgreSQL")


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def shared_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not HAS_PG:
        pytest.skip("the concurrency suite needs DATABASE_URL=postgresql+psycopg://...")
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture
def cluster(request: pytest.FixtureRequest, shared_cluster: Cluster) -> Iterator[Cluster]:
    """A gunicorn instance (two workers) and a `python app.py --no-sandboxes` on one
    PostgreSQL database, the demo household seeded; servers[0] is gunicorn, servers[1] app.py."""
    shared_cluster.begin_test()
    yield shared_cluster
    if request.node.stash.get(_FAILED, False):
        print(shared_cluster.logs())  # the servers' own story of a failed race
