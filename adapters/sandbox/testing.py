"""Helpers for tests anywhere in the project: every installed bank's sandbox as a real
subprocess (`python -m adapters.sandbox ...`), wired to each other, plus the operator API.

    with running_sandboxes(tmp_path) as urls:
        set_fault(urls.kbank, op="transfer", mode="error_500", count=1)
        ...
        assert postings_for(urls.kbank, key) == [...]
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from adapters.probe import wait_until_up
from adapters.sandbox.banks import dialects

_ROOT = Path(__file__).resolve().parents[2]  # the checkout that holds `adapters`


@dataclass(frozen=True)
class SandboxUrls:
    """Each running sandbox's base URL by bank code: `urls["mirae"]`, or `urls.kbank`."""

    by_bank: dict[str, str]

    def __getitem__(self, bank: str) -> str:
        return self.by_bank[bank]

    def __getattr__(self, bank: str) -> str:
        if bank.startswith("__") or bank == "by_bank":  # copy and pickle probe for these
            raise AttributeError(bank)
        try:
            return self.by_bank[bank]
        except KeyError:
            raise AttributeError(bank) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_bank)

    def items(self) -> list[tuple[str, str]]:
        return list(self.by_bank.items())

    def env(self) -> dict[str, str]:
        """`COUCHBANK_<CODE>_URL` for each: how the service and the sandboxes find them."""
        return {f"COUCHBANK_{bank.upper()}_URL": url for bank, url in self.by_bank.items()}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout_s: float = 20.0, process: subprocess.Popen | None = None) -> None:
    wait_until_up(f"{url}/_sandbox/healthz", timeout_s=timeout_s, process=process)


def start_sandbox(bank: str, port: int, data_dir: Path, *, host: str = "127.0.0.1",
                  env: dict[str, str] | None = None) -> subprocess.Popen:
    """One sandbox process; its output goes to `<data_dir>/sandbox/<bank>.log`."""
    log_dir = Path(data_dir) / "sandbox"
    log_dir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), full_env.get("PYTHONPATH")]))
    with open(log_dir / f"{bank}.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "adapters.sandbox", bank, "--port", str(port), "--data-dir", str(data_dir),
             "--host", host],
            stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=_ROOT,
        )


def stop_sandbox(process: subprocess.Popen, timeout_s: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_sandboxes(data_dir: Path, *, host: str = "127.0.0.1", ports: Mapping[str, int] | None = None,
                      env: dict[str, str] | None = None, banks: Iterable[str] | None = None) -> Iterator[SandboxUrls]:
    """The sandboxes of `banks` (default: every installed dialect) on free (or the given)
    ports, sharing `data_dir`, each told the others' URLs; stopped on exit."""
    chosen = sorted(dialects() if banks is None else banks)
    port_of = {bank: (ports or {}).get(bank) or free_port(host) for bank in chosen}
    urls = SandboxUrls({bank: f"http://{host}:{port}" for bank, port in port_of.items()})
    wiring = {**(env or {}), **urls.env()}
    with ExitStack() as stack:
        for bank, port in port_of.items():
            process = start_sandbox(bank, port, data_dir, host=host, env=wiring)
            stack.callback(stop_sandbox, process)
            wait_healthy(urls[bank], process=process)
        yield urls


def set_fault(url: str, **fault: Any) -> dict[str, Any]:
    """`set_fault(url, op="transfer", mode="timeout_after_commit", count=1, delay_ms=1500)`"""
    resp = requests.post(f"{url}/_sandbox/faults", json=fault, timeout=5)
    resp.raise_for_status()
    return resp.json()


def clear_faults(url: str) -> None:
    requests.delete(f"{url}/_sandbox/faults", timeout=5).raise_for_status()


def ledger(url: str) -> list[dict[str, Any]]:
    resp = requests.get(f"{url}/_sandbox/ledger", timeout=5)
    resp.raise_for_status()
    return resp.json()["postings"]


def postings_for(url: str, reference: str) -> list[dict[str, Any]]:
    return [p for p in ledger(url) if p["reference"] == reference]


def wait_for(predicate: Any, timeout_s: float = 10.0, interval_s: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy (interbank delivery, processing transfers)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval_s)
