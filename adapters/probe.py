"""Waiting for a freshly started HTTP server (a sandbox, the service) to answer."""
from __future__ import annotations

import subprocess
import time

import requests


def wait_until_up(url: str, *, timeout_s: float = 20.0, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers 200; fail early if `process` (the server) has exited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")
