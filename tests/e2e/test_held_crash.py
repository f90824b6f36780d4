"""A held transfer survives SIGKILL between its release and its send (CONTRACT §8): after a
restart it is sent exactly once. Also `flask users set-hold` as an operator runs it."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from adapters.sandbox.testing import postings_for, running_sandboxes
from banking.platform.store import Database
from banking.platform.store.tables import transfers
from tests.e2e.test_processes import free_ports, start, wait_healthy
from tests.support import Device, http_transport

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

#: a process that releases the due held transfer and is killed before it can send it
_RELEASE_THEN_DIE = """
import os, signal
from banking import bootstrap
from banking.platform import config
from banking.transfers import release
services = bootstrap.build(config.load())
services.ensure_ready()
assert release.release_one(services) is not None
os.kill(os.getpid(), signal.SIGKILL)
"""


def _env(tmp_path: Path, banks: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "COUCHBANK_DATA_DIR": str(tmp_path), **banks}
    env.pop("DATABASE_URL", None)
    return env


def test_sigkill_between_release_and_send_then_restart_sends_once(tmp_path):
    port = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    with running_sandboxes(tmp_path) as sandboxes:
        banks = {"COUCHBANK_KBANK_URL": sandboxes.kbank, "COUCHBANK_WOORI_URL": sandboxes.woori}
        service = start(["--no-sandboxes", "--port", str(port)], tmp_path, {**banks, "COUCHBANK_BACKGROUND": "0"})
        try:
            wait_healthy(url, service)
            subprocess.run([sys.executable, "-m", "flask", "--app", "app", "users", "set-hold", "demo", "--minutes", "5"],
                           cwd=ROOT, env=_env(tmp_path, banks), check=True, capture_output=True, timeout=60)
            device = Device(http_transport(url))
            assert device.turn("케이뱅크에서 엄마한테 만원 보내줘")["awaiting"] == "pin"
            reply = device.turn("4826")
            assert reply["data"]["status"] == "held", reply
            transfer_id = reply["data"]["transfer_id"]
        finally:
            service.send_signal(signal.SIGINT)
            service.wait(timeout=20)
        db = Database(f"sqlite:///{tmp_path / 'couchbank.sqlite3'}")
        try:
            with db.begin() as conn:  # due now, rather than in five minutes
                conn.execute(update(transfers).where(transfers.c.id == transfer_id)
                             .values(release_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
            died = subprocess.run([sys.executable, "-c", _RELEASE_THEN_DIE], cwd=ROOT, env=_env(tmp_path, banks),
                                  capture_output=True, timeout=60)
            assert died.returncode == -signal.SIGKILL, died.stderr.decode()[-2000:]
            with db.read() as conn:
                row = conn.execute(select(transfers).where(transfers.c.id == transfer_id)).one()
            assert row.status == "pending" and row.send_started_at is None
            assert postings_for(sandboxes.kbank, row.idempotency_key) == []
            restarted = start(["--no-sandboxes", "--port", str(port)], tmp_path, banks)
            try:
                wait_healthy(url, restarted)
                deadline = time.monotonic() + 60
                status = "pending"
                while status == "pending" and time.monotonic() < deadline:
                    code, body = Device(http_transport(url)).request("GET", f"/v1/transfers/{transfer_id}")
                    assert code == 200
                    status = body["status"]
                    time.sleep(0.5)
                assert status == "completed"
                assert [p["amount"] for p in postings_for(sandboxes.kbank, row.idempotency_key)] == [-10_000]
                kinds = [n["kind"] for n in Device(http_transport(url)).request("GET", "/v1/notices")[1]["notices"]]
                assert kinds == ["transfer.released", "transfer.completed"]
            finally:
                restarted.send_signal(signal.SIGINT)
                restarted.wait(timeout=20)
        finally:
            db.dispose()
