"""A sandbox process logs as the service does: JSON lines only, account numbers masked, and
under the request id of the service request whose adapter called it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import structlog

from adapters.http import PartnerHttp
from adapters.probe import wait_until_up
from tests.e2e.test_processes import free_ports

ROOT = Path(__file__).resolve().parents[3]


def test_sandbox_lines_are_json_with_the_callers_request_id(tmp_path: Path) -> None:
    port = free_ports(1)
    log_path = tmp_path / "sandbox.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "adapters.sandbox", "woori", "--port", str(port),
                                    "--data-dir", str(tmp_path)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/_sandbox/healthz", timeout_s=30, process=process)
        http = PartnerHttp(url, 5, bank="woori")
        with structlog.contextvars.bound_contextvars(request_id="turn-request-0001"):
            assert http.send("GET", "/_sandbox/interbank/accounts/1002-987-654321", read=True).status_code < 500
        http.close()
    finally:
        process.terminate()
        process.wait(10)
    text = log_path.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    crossed = [line for line in lines if line.get("request_id") == "turn-request-0001"]
    assert crossed and crossed[0]["event"] == "access" and crossed[0]["bank"] == "woori"
    assert "1002-987-654321" not in text and "4321" in crossed[0]["path"]


def test_a_payee_look_up_to_another_sandbox_carries_the_request_id() -> None:
    from adapters.sandbox import interbank, logs

    seen: list[dict[str, str]] = []

    class Session:
        def get(self, url: str, timeout: float, headers: dict[str, str]) -> object:
            seen.append(headers)
            raise interbank.requests.ConnectionError()

    peer = interbank.Peer("woori", "http://127.0.0.1:9")
    peer._session = Session()  # type: ignore[assignment]
    with structlog.contextvars.bound_contextvars(request_id="turn-request-0002"):
        try:
            peer.lookup("1002-987-654321")
        except interbank.PeerUnavailable:
            pass
    assert seen == [{logs.REQUEST_ID_HEADER: "turn-request-0002"}]
