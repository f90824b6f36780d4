"""The real processes: `python app.py` end to end, and a service killed mid-transfer that
settles the truth after a restart (CONTRACT §1, §5)."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters import registry
from adapters.probe import wait_until_up
from adapters.sandbox.testing import postings_for, running_sandboxes, set_fault
from banking.platform.store import Database
from banking.platform.store.tables import transfers
from tests.support import Device, http_transport

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_ports(count: int) -> int:
    """A base port P with P..P+count-1 all free."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            socks = []
            for port in range(base, base + count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                socks.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no free ports")


def start(args: list[str], data_dir: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("DATABASE_URL", None)
    log = open(data_dir / f"service-{time.monotonic_ns()}.log", "wb")
    return subprocess.Popen([sys.executable, "app.py", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                            env=full_env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(url: str, process: subprocess.Popen) -> None:
    wait_until_up(url + "/healthz", timeout_s=60, process=process)


#: the demo user's accounts and what each holds (CONTRACT §2, §10), where the bank is installed
DEMO_BALANCES = {"kbank": 1_250_000, "woori": 3_400_000, "mirae": 5_000_000}
INSTALLED = {bank.code: bank for bank in registry.catalogue()}
SAID = {"kbank": "케이뱅크에서", "woori": "우리은행에서", "mirae": "미래에셋에서"}


def test_python_app_serves_the_balance_conversation(tmp_path):
    offsets = [bank.sandbox.port_offset for bank in INSTALLED.values() if bank.sandbox]
    port = free_ports(max(offsets) + 1)
    process = start(["--port", str(port)], tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        device = Device(http_transport(url))
        assert device.turn("잔액 알려줘")["awaiting"] == "pin"
        assert device.turn("1357")["awaiting"] == "pin"  # wrong PIN: asked again
        reply = device.turn("사팔이육")
        assert reply["status"] == "completed"
        assert {a["bank"]: a["balance"] for a in reply["data"]["accounts"]} == {
            bank: balance for bank, balance in DEMO_BALANCES.items() if bank in INSTALLED}
        assert "125만 원" in reply["speech"] and "340만 원" in reply["speech"]
        if "mirae" in INSTALLED:  # its sandbox on P+3 (CONTRACT §10)
            assert "500만 원" in reply["speech"] and INSTALLED["mirae"].sandbox.port_offset == 3
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    # Ctrl-C stopped the sandboxes too
    for p in (port, *(port + offset for offset in offsets)):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", p)) != 0


@pytest.mark.parametrize("source", [bank for bank in ("kbank", "mirae") if bank in INSTALLED])
def test_killed_mid_transfer_settles_after_restart(tmp_path, source):
    port = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    with running_sandboxes(tmp_path) as banks:
        env = banks.env()
        service = start(["--no-sandboxes", "--port", str(port)], tmp_path, env)
        try:
            wait_healthy(url, service)
            device = Device(http_transport(url))
            assert device.turn(f"{SAID[source]} 엄마한테 만원 보내줘")["awaiting"] == "pin"
            set_fault(banks[source], op="transfer", mode="latency", count=1, delay_ms=3000)
            pin_turn = threading.Thread(target=lambda: _swallow(device.turn, "4826"), daemon=True)
            pin_turn.start()
            db = Database(f"sqlite:///{tmp_path / 'couchbank.sqlite3'}")
            deadline = time.monotonic() + 10
            row = None
            while (row is None or row.send_started_at is None) and time.monotonic() < deadline:
                with db.read() as conn:
                    row = conn.execute(select(transfers)).first()
                time.sleep(0.05)
            assert row is not None and row.status == "pending"  # written down before the bank heard
            time.sleep(0.5)  # the send is on the wire; the bank works on it for 3 s
            service.send_signal(signal.SIGKILL)
            service.wait(timeout=10)
        finally:
            if service.poll() is None:
                service.kill()
        restarted = start(["--no-sandboxes", "--port", str(port)], tmp_path, env)
        try:
            wait_healthy(url, restarted)
            deadline = time.monotonic() + 60
            status = "pending"
            while status == "pending" and time.monotonic() < deadline:
                code, body = Device(http_transport(url)).request("GET", f"/v1/transfers/{row.id}")
                assert code == 200
                status = body["status"]
                time.sleep(0.5)
            assert status == "completed"
            assert [p["amount"] for p in postings_for(banks[source], row.idempotency_key)] == [-10_000]
        finally:
            restarted.send_signal(signal.SIGINT)
            restarted.wait(timeout=20)
            db.dispose()


def _swallow(fn, *args):
    try:
        fn(*args)
    except Exception:  # the service was killed under it
        pass
