"""`flask --app app demo otp`: the demo user's current code, which the service accepts; refused
in production."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from banking.auth import otp
from banking.demo.seed import DEMO_TOTP_SECRET

ROOT = Path(__file__).resolve().parents[3]


def test_the_code_printed_is_the_one_the_service_accepts(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "otp"])
    assert result.exit_code == 0, result.output
    code = result.stdout.strip().splitlines()[0]
    assert otp.matching_step(DEMO_TOTP_SECRET, code, time.time(), None) is not None


def test_refused_in_production(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COUCHBANK_ENV": "production",
           "COUCHBANK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", str(ROOT / "app.py"), "demo", "otp"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == "" and "production" in done.stderr
