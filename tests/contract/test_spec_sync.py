"""openapi.yaml is generated from the routes and schemas and committed: the file in the repo
must be exactly what `flask --app app openapi write --format=yaml openapi.yaml` writes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi.yaml"
REGENERATE = "flask --app app openapi write --format=yaml openapi.yaml"


def _generate(tmp_path: Path, environment: str) -> bytes:
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "openapi.yaml"
    env = {**os.environ, "COUCHBANK_DATA_DIR": str(tmp_path / "data"), "COUCHBANK_ENV": environment,
           # nothing listens there: writing the spec must not need a database or a partner
           "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/nowhere",
           "COUCHBANK_BACKGROUND": "0"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "openapi", "write", "--format=yaml", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    return out.read_bytes()


@pytest.mark.parametrize("environment", ["development", "production"])
def test_committed_spec_is_the_generated_one(tmp_path: Path, environment: str) -> None:
    generated = _generate(tmp_path, environment)
    assert COMMITTED.read_bytes() == generated, f"openapi.yaml is stale: run `{REGENERATE}`"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", "development")
    assert _generate(tmp_path / "b", "development") == first
