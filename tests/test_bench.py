"""`python -m bench --quick --tiny` runs and ends with the JSON summary (the benchmarks'
numbers are never asserted here: a unit test is no place to time things)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIRED = ("turn_cost_ratio", "p99_ms", "nlu_per_s", "audit_verify_vs_scan", "scale_ratio")


def test_tiny_bench_prints_the_json_summary_last() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite only: keep it short
    out = subprocess.run([sys.executable, "-m", "bench", "--quick", "--tiny"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    for key in REQUIRED:
        assert key in summary, key
    assert summary["mode"] == "tiny"
    assert not [n for n in summary["notes"] if "failed" in n], summary["notes"]
