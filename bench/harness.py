"""What every benchmark needs: a seeded service on a chosen database with in-process partners,
bench devices, a PIN-verified session, and requests that are signed before the clock starts
so that only the server's work is timed."""
from __future__ import annotations

import contextlib
import io
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from flask import Flask
from werkzeug.test import EnvironBuilder

from adapters import registry
from adapters.memory import MemoryAdapter
from banking.auth.signing import signed_headers
from banking.platform.partners import Partners
from banking.platform.services import EXTENSION, Services
from tests.support import HAS_PG, fresh_pg_database, make_settings, nonce

REPO = Path(__file__).resolve().parents[1]
TURN_PATH = "/v1/voice/turn"
BALANCE = "잔액 알려줘"
PIN = "4826"
#: the production limit is 120 requests a minute per device; benchmarks rotate through this
#: many devices so that no device is throttled and the limit stays as production has it
BENCH_DEVICES = 400


def memory_partners() -> Partners:
    return Partners({bank.code: MemoryAdapter(bank.code) for bank in registry.catalogue()})


@contextlib.contextmanager
def database(engine: str, data_dir: Path) -> Iterator[str]:
    """A fresh, empty database URL of the given engine ("sqlite" or "postgresql")."""
    if engine == "sqlite":
        yield f"sqlite:///{data_dir / 'couchbank.sqlite3'}"
        return
    if not HAS_PG:
        raise RuntimeError("PostgreSQL benchmarks need DATABASE_URL=postgresql+psycopg://...")
    url, drop = fresh_pg_database()
    try:
        yield url
    finally:
        drop()


def engines() -> list[str]:
    return ["sqlite", "postgresql"] if HAS_PG else ["sqlite"]


def build_app(data_dir: Path, database_url: str, partners: Partners | None = None, **overrides: Any) -> Flask:
    from app import create_app
    from banking.demo.seed import seed_demo_if_empty

    app = create_app(make_settings(data_dir, database_url, **overrides),
                     partners=partners if partners is not None else memory_partners())
    seed_demo_if_empty(app.extensions[EXTENSION])
    return app


def services_of(app: Flask) -> Services:
    return app.extensions[EXTENSION]


def device_secret(n: int) -> tuple[str, str]:
    return f"bench-{n:04d}", f"bench-secret-{n:04d}"


def register_devices(services: Services, count: int = BENCH_DEVICES, user_id: str = "demo") -> list[tuple[str, str]]:
    from banking.auth import enrolment

    made = [device_secret(n) for n in range(count)]
    with services.db.begin() as conn:
        for device_id, secret in made:
            enrolment.register_device(conn, services.keys, user_id, device_id, secret, "bench")
    return made


#: a body's `session_id` that stands for the signing device's own verified conversation (a
#: conversation belongs to the device that started it)
OWN_SESSION = "<own>"


@dataclass
class Signer:
    """Round-robin over devices (so that no device meets its rate limit); `environ(body)` is
    a ready WSGI environ for one request. `sessions` holds each device's verified
    conversation once `verify_sessions` has made them."""

    devices: list[tuple[str, str]]
    path: str = TURN_PATH
    sessions: dict[str, str] = field(default_factory=dict)
    _next: int = field(default=0, init=False)

    def environ(self, body: dict[str, Any], *, same_device: bool = False) -> dict[str, Any]:
        """`same_device`: sign as the device of the previous request (a conversation's next turn)."""
        if same_device:
            self._next -= 1
        device_id, secret = self.devices[self._next % len(self.devices)]
        self._next += 1
        if body.get("session_id") == OWN_SESSION:
            body = {**body, "session_id": self.sessions[device_id]}
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = signed_headers(device_id, secret, "POST", self.path, raw, now=time.time(), nonce=nonce())
        builder = EnvironBuilder(path=self.path, method="POST", data=raw, headers=headers)
        try:
            return builder.get_environ()
        finally:
            builder.close()


def call(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[int, bytes]:
    """One request straight through WSGI (no test client, no network)."""
    status: list[str] = []
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(environ["bench.body"]) if "bench.body" in environ else env["wsgi.input"]
    chunks = app(env, lambda s, h, e=None: status.append(s))
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return int(status[0].split(" ", 1)[0]), body


def prepare(environs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # read each body once so that a prepared environ can be replayed into a fresh stream
    for env in environs:
        env["bench.body"] = env["wsgi.input"].read()
    return environs


def verify_sessions(app: Flask, signer: Signer) -> None:
    """One conversation per device, verified with the PIN: after it, that device's balance
    turns need no PIN."""
    for device_id, _ in signer.devices:
        status, body = call(app, prepare([signer.environ({"utterance": BALANCE, "session_id": None})])[0])
        reply = json.loads(body)
        assert status == 200 and reply["awaiting"] == "pin", (status, reply)
        status, body = call(app, prepare([signer.environ({"utterance": PIN, "session_id": reply["session_id"]},
                                                         same_device=True)])[0])
        reply = json.loads(body)
        assert status == 200 and reply["status"] == "completed" and reply["data"], (status, reply)
        signer.sessions[device_id] = reply["session_id"]


def balance_turns(signer: Signer, n: int) -> list[dict[str, Any]]:
    return prepare([signer.environ({"utterance": BALANCE, "session_id": OWN_SESSION}) for _ in range(n)])


def check_balance_reply(status: int, body: bytes) -> None:
    if status != 200:
        raise AssertionError(f"balance turn answered {status}: {body[:300]!r}")
    reply = json.loads(body)
    if reply["status"] != "completed" or reply["awaiting"] is not None or not reply["data"]:
        raise AssertionError(f"balance turn was not answered in a verified session: {reply}")


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"couchbank-bench-{prefix}-") as d:
        yield Path(d)
