"""`flask --app app talk` as a person uses it: in a terminal (a pseudo-terminal here), over
HTTP to a running service, with line editing and history; and its one-line explanations when
nothing answers or the service does not know the device."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_processes import free_ports
from tests.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]
TALK = [sys.executable, "-m", "flask", "--app", str(ROOT / "app.py"), "talk"]
UP = "\x1b[A"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COUCHBANK_DATA_DIR": str(tmp_path / "talk-data"), **extra}
    env.pop("DATABASE_URL", None)
    return env


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_talk_through_a_terminal_to_a_running_service(live_app_factory: Any, memory_partners: Any,
                                                      tmp_path: Path) -> None:
    _, url = live_app_factory(memory_partners)
    terminal = Terminal([*TALK, "--url", url], cwd=tmp_path, env=_env(tmp_path))
    try:
        terminal.expect(r"demo-tv → " + url)
        terminal.expect(r"> $")
        terminal.send("what's my balance")
        terminal.expect(r"awaiting pin\)")
        terminal.expect(r"PIN \(hidden\)> $")
        terminal.send("4826")
        terminal.expect(r"balance · completed\)")
        # the history: one line up is the question again (the PIN is not kept), answered in
        # the verified session
        terminal.send(UP)
        terminal.expect(r"balance · completed\)[\s\S]*balance · completed\)")
        terminal.send("")
        assert terminal.wait(30) == 0
    finally:
        terminal.close()
    shown = terminal.output
    assert shown.count("🔊") == 3 and "1,250,000" in shown
    assert '"event"' not in shown and '"level"' not in shown  # no log line crossed the prompt
    assert "4826" not in shown  # typed unseen


def test_nothing_answering_is_one_plain_line(tmp_path: Path) -> None:
    port = free_ports(1)
    done = subprocess.run([*TALK, "--url", f"http://127.0.0.1:{port}"], cwd=tmp_path, env=_env(tmp_path),
                          input="잔액\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"Nothing answers at http://127.0.0.1:{port}" in lines[0], done.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_device_is_one_plain_line(live_app_factory: Any, memory_partners: Any, tmp_path: Path) -> None:
    _, url = live_app_factory(memory_partners)
    done = subprocess.run([*TALK], cwd=tmp_path, input="잔액 알려줘\n", capture_output=True, text=True, timeout=60,
                          env=_env(tmp_path, COUCHBANK_URL=url, COUCHBANK_DEVICE_ID="kitchen-speaker",
                                   COUCHBANK_DEVICE_SECRET="not-the-secret"))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not accept device 'kitchen-speaker'" in lines[0], done.stderr
    assert "seed-demo" in lines[0]
