"""`flask audit verify` and `audit export` show a progress bar on a terminal, and nothing of
it when their output goes to a pipe or a file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terminal import Terminal

ROOT = Path(__file__).resolve().parents[3]
FLASK = [sys.executable, "-m", "flask", "--app", str(ROOT / "app.py")]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COUCHBANK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    seeded = subprocess.run([*FLASK, "seed-demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert seeded.returncode == 0, seeded.stderr
    return env


@pytest.mark.parametrize("command", [["audit", "verify"], ["audit", "export"]])
def test_a_bar_on_a_terminal(command: list[str], env: dict[str, str], tmp_path: Path) -> None:
    terminal = Terminal([*FLASK, *command], cwd=tmp_path, env=env)
    try:
        assert terminal.wait(60) == 0, terminal.output
    finally:
        terminal.close()
    assert ("verifying" if command[1] == "verify" else "exporting") in terminal.output
    assert "━" in terminal.output  # rich's bar


@pytest.mark.parametrize("command", [["audit", "verify"], ["audit", "export"]])
def test_nothing_of_it_in_a_pipe(command: list[str], env: dict[str, str], tmp_path: Path) -> None:
    done = subprocess.run([*FLASK, *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr and "━" not in done.stderr
