"""The audit chain keeps one total order, with no forks or gaps, when several processes
append at once; and it still verifies after a pg_dump / pg_restore into a new database."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.concurrency import CONCURRENCY
from tests.concurrency.cluster import PIN, ROOT, Cluster, assert_answered, race
from tests.support import fresh_pg_database

pytestmark = CONCURRENCY

PER_PROCESS = 500

# appends through AuditTrail, as the service does, from four threads of one process, all
# starting at the same wall-clock moment as the other process; a few events per transaction,
# as a turn writes them
_APPENDER = """
import sys, threading, time
from banking.platform import config
from banking.audit.trail import Actor
from banking.bootstrap import build

services = build(config.load())
services.ensure_ready()
count, start_at, name = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]

def append(thread):
    for i in range(count // 4 // 5):
        with services.db.begin() as conn:
            for j in range(5):
                services.audit.append(conn, "turn", {"intent": "unknown", "probe": f"{name}-{thread}-{i}-{j}"},
                                      Actor(user_id="demo", request_id=f"{name}-{thread}"))

time.sleep(max(0.0, start_at - time.time()))
threads = [threading.Thread(target=append, args=(t,)) for t in range(4)]
for t in threads: t.start()
for t in threads: t.join()
"""


def _appenders(cluster: Cluster, start_at: float) -> list[subprocess.Popen[str]]:
    return [subprocess.Popen([sys.executable, "-c", _APPENDER, str(PER_PROCESS), str(start_at), f"p{i}"],
                             cwd=ROOT, env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for i in range(2)]


def test_a_thousand_appends_from_two_processes_make_one_gapless_chain(cluster: Cluster) -> None:
    before = cluster.scalar("SELECT coalesce(max(seq), 0) FROM audit_events")
    processes = _appenders(cluster, time.time() + 3)
    # meanwhile the service processes append too, for real turns
    assert_answered(race(*[lambda i=i: cluster.device(i).turn("도움말", new=True) for i in range(6)]))
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out

    seqs = [r.seq for r in cluster.rows("SELECT seq FROM audit_events ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) >= before + 2 * PER_PROCESS + 6
    links = cluster.rows("SELECT count(DISTINCT prev_hash), count(*) FROM audit_events")
    assert links[0][0] == links[0][1]  # no two events claim the same predecessor: no fork
    cluster.assert_chain_verifies()


@pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"),
                    reason="pg_dump and pg_restore are not on PATH")
def test_the_chain_verifies_after_pg_dump_and_pg_restore(cluster: Cluster, tmp_path: Path) -> None:
    device = cluster.device(0)
    device.turn("우리은행에서 엄마한테 5만원 보내줘", new=True)
    assert device.turn(PIN)["data"]["status"] == "completed"
    dump = tmp_path / "couchbank.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
                    f"--dbname={_libpq(cluster.database_url)}"], check=True, timeout=120)
    restored_url, drop = fresh_pg_database()
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(restored_url)}",
                        str(dump)], check=True, timeout=120)
        cluster.assert_chain_verifies(restored_url)
    finally:
        drop()


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
