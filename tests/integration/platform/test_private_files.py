"""The data directory and everything in it are private to the service's user (issue 14,
"At rest"), in every process that writes there, and the sandboxes' log lines mask account
numbers."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from adapters import registry
from adapters.sandbox.testing import free_port, stop_sandbox, wait_healthy
from banking.platform.security.private_files import make_private

ROOT = Path(__file__).resolve().parents[3]
NUMBERS = ("100-123-456789", "1002-345-678901", "1002-987-654321", "100-555-000111")


def _modes(root: Path) -> dict[str, str]:
    """Every directory and file under `root` (itself included) -> its permission bits."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


def _private(modes: dict[str, str], root: Path) -> dict[str, str]:
    """The entries whose modes are not private: empty when all are."""
    return {name: mode for name, mode in modes.items()
            if mode != ("0o700" if (root / name).is_dir() else "0o600")}


def _loose_umask() -> None:
    # the child starts with the usual umask, so that only its own setting can make it private
    os.umask(0o022)


@pytest.fixture
def umask() -> Iterator[None]:
    """`make_private` sets this process's umask; put it back afterwards."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def test_an_existing_loose_data_dir_is_tightened_and_links_left_alone(tmp_path: Path, umask: None) -> None:
    data = tmp_path / "var"
    (data / "sandbox").mkdir(parents=True)
    (data / "couchbank.sqlite3").write_bytes(b"")
    (data / "sandbox" / "kbank.sqlite3").write_bytes(b"")
    (data / "script").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.write_bytes(b"")
    (data / "link").symlink_to(outside)
    for path, mode in ((data, 0o755), (data / "sandbox", 0o777), (data / "couchbank.sqlite3", 0o644),
                       (data / "sandbox" / "kbank.sqlite3", 0o666), (data / "script", 0o755), (outside, 0o644)):
        path.chmod(mode)
    make_private(data)
    assert _modes(data) == {".": "0o700", "sandbox": "0o700", "couchbank.sqlite3": "0o600",
                            "sandbox/kbank.sqlite3": "0o600", "script": "0o700"}
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    # and what the process makes from now on is private too
    (data / "new.sqlite3-wal").write_bytes(b"")
    assert _modes(data)["new.sqlite3-wal"] == "0o600"


def test_the_service_database_its_log_files_and_keys_are_private(client: Any, services: Any, device: Any) -> None:
    """In the service process (SQLite): after a turn, the database, its -wal and -shm files,
    the lock files and the master key, while the database is open."""
    device.turn("잔액 알려줘")
    reply = device.turn("4826")
    assert [a["number_masked"] for a in reply["data"]["accounts"]][:2] == ["***-***-6789", "***-***-8901"]
    data_dir = services.settings.data_dir
    if not services.settings.is_sqlite:
        pytest.skip("the SQLite files")
    modes = _modes(data_dir)
    assert {"couchbank.sqlite3", "couchbank.sqlite3-wal", "couchbank.sqlite3-shm", "keys/master.key"} <= set(modes)
    assert _private(modes, data_dir) == {}


def test_the_flask_cli_makes_and_tightens_a_private_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "old-credentials.json").write_text("{}")
    (data / "old-credentials.json").chmod(0o644)
    env = {**os.environ, "COUCHBANK_DATA_DIR": str(data), "COUCHBANK_BACKGROUND": "0"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "seed-demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, preexec_fn=_loose_umask)
    assert done.returncode == 0, done.stderr
    modes = _modes(data)
    assert {"couchbank.sqlite3", "keys", "keys/master.key", "old-credentials.json"} <= set(modes)
    assert _private(modes, data) == {}


def test_a_sandbox_keeps_its_files_private_and_masks_account_numbers_in_its_log(tmp_path: Path) -> None:
    data = tmp_path / "var"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "adapters.sandbox", "kbank", "--port", str(port),
                                "--data-dir", str(data)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, preexec_fn=_loose_umask)
    try:
        wait_healthy(url, process=process)
        adapter = registry.create("kbank", base_url=url, timeout_s=5.0, data_dir=data)
        assert adapter.balance(NUMBERS[0]).balance > 0
        # the recipient check between banks names the whole number in its path
        assert requests.get(f"{url}/_sandbox/interbank/accounts/{NUMBERS[3]}", timeout=5).status_code == 200
        modes = _modes(data)
        assert any(name.endswith("kbank.sqlite3-wal") for name in modes)
        assert _private(modes, data) == {}
    finally:
        stop_sandbox(process)
    output = process.stdout.read().decode() if process.stdout else ""
    assert "/_sandbox/interbank/accounts/***-***-0111" in output, output
    for number in NUMBERS:
        assert number not in output and number.replace("-", "") not in output, output
