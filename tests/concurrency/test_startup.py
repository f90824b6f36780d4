"""Service processes started together on an empty PostgreSQL database: the schema is
migrated once, the demo household seeded once, and every process comes up."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import running_cluster
from tests.support import HAS_PG

pytestmark = [*CONCURRENCY, pytest.mark.skipif(not HAS_PG, reason="needs DATABASE_URL=postgresql+psycopg://...")]


def test_processes_started_together_on_an_empty_database_all_come_up(tmp_path: Path) -> None:
    # two `python app.py --no-sandboxes` (each migrates and seeds when empty) and a gunicorn
    # with two workers (each migrates), all at once
    with running_cluster(tmp_path, kinds=("app", "app", "gunicorn"), seed=False) as cluster:
        assert cluster.scalar("SELECT count(*) FROM alembic_version") == 1
        assert cluster.scalar("SELECT count(*) FROM users") == 1
        assert cluster.scalar("SELECT count(*) FROM devices") == 1
        for server in range(3):
            reply = cluster.device(server).turn("잔액 알려줘", new=True)
            assert reply["awaiting"] == "pin", reply
