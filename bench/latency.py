"""p99 latency of verified balance turns from concurrent devices against the production server
setup (gunicorn with the repository's `gunicorn.conf.py`, else explicit flags), with the
partners faked in process; the load comes from a separate process."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from adapters.probe import wait_until_up
from adapters.sandbox.testing import free_port
from bench import harness

DEVICES_PER_THREAD = 8
#: a speaking person manages a turn every ~5 s (utterance, recognition, the spoken reply);
#: the paced run asks 2.5 times that of every device
PACE_S = 2.0


def _prepare(d: Path, url: str, concurrency: int) -> dict[str, Any]:
    """Seed the database, register the devices and verify one conversation per thread."""
    app = harness.build_app(d, url)
    services = harness.services_of(app)
    try:
        devices = harness.register_devices(services, concurrency * DEVICES_PER_THREAD)
        per_thread = [devices[i::concurrency] for i in range(concurrency)]
        signers = [harness.Signer(own) for own in per_thread]
        for signer in signers:
            harness.verify_sessions(app, signer)
    finally:
        services.close()
    # each device speaks in its own verified conversation
    return {"devices": [[[device_id, secret, signer.sessions[device_id]] for device_id, secret in signer.devices]
                        for signer in signers]}


def gunicorn_command(port: int) -> tuple[list[str], str]:
    conf = harness.REPO / "gunicorn.conf.py"
    base = [sys.executable, "-m", "gunicorn"]
    app = "bench.fake_app:create_app()"
    if conf.exists():
        return base + ["-c", str(conf), "-b", f"127.0.0.1:{port}", app], "gunicorn -c gunicorn.conf.py"
    flags = ["-w", "2", "-k", "gthread", "--threads", "8"]
    return base + flags + ["-b", f"127.0.0.1:{port}", app], "gunicorn " + " ".join(flags)


def _load(d: Path, env: dict[str, str], plan: dict[str, Any]) -> dict[str, Any]:
    (d / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bench.loadgen", str(d / "plan.json")],
                         capture_output=True, text=True, cwd=harness.REPO, env=env,
                         timeout=plan["seconds"] + plan["warmup_s"] + 120)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(engine: str, concurrency: int, seconds: float, warmup_s: float,
            saturation_s: float) -> dict[str, Any]:
    """Paced devices (the headline p99), then the same devices with no pause (saturation)."""
    with harness.workdir("latency") as d, harness.database(engine, d) as url:
        plan = _prepare(d, url, concurrency)
        port = free_port()
        command, setup = gunicorn_command(port)
        env = {**os.environ, "COUCHBANK_DATA_DIR": str(d), "DATABASE_URL": url,
               "PYTHONPATH": str(harness.REPO)}
        with open(d / "gunicorn.log", "wb") as log:
            proc = subprocess.Popen(command, cwd=harness.REPO, env=env, stdout=log, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/healthz", timeout_s=60, process=proc)
            plan.update(url=base, utterance=harness.BALANCE)
            paced = _load(d, env, {**plan, "seconds": seconds, "warmup_s": warmup_s, "interval_s": PACE_S})
            saturated = _load(d, env, {**plan, "seconds": saturation_s, "warmup_s": 1.0, "interval_s": 0.0})
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"engine": engine, "setup": setup, "concurrency": concurrency, "pace_s": PACE_S,
            "paced": paced, "saturated": saturated}
