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

from adapters.memory import MemoryAdapter
from banking.partners import Partners
from banking.security.signing import signed_headers
from banking.services import EXTENSION, Services
from tests.support import HAS_PG, fresh_pg_database, make_settings, nonce

REPO = Path(__file__).resolve().parents[1]
TURN_PATH = "/v1/voice/turn"
BALANCE = "잔액 알려줘"
PIN = "4826"
#: the production limit is 120 requests a minute per device; benchmarks rotate through this
#: many devices so that no device is throttled and the limit stays as production has it
BENCH_DEVICES = 400


def memory_partners() -> Partners:
    return Partners({"kbank": MemoryAdapter("kbank"), "woori": MemoryAdapter("woori")})


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
    from banking.seed import seed_demo_if_empty

    app = create_app(make_settings(data_dir, database_url, **overrides),
                     partners=partners if partners is not None else memory_partners())
    seed_demo_if_empty(app.extensions[EXTENSION])
    return app


def services_of(app: Flask) -> Services:
    return app.extensions[EXTENSION]


def device_secret(n: int) -> tuple[str, str]:
    return f"bench-{n:04d}", f"bench-secret-{n:04d}"


def register_devices(services: Services, count: int = BENCH_DEVICES, user_id: str = "demo") -> list[tuple[str, str]]:
    from banking import enrolment

    made = [device_secret(n) for n in range(count)]
    with services.db.begin() as conn:
        for device_id, secret in made:
            enrolment.register_device(conn, services.keys, user_id, device_id, secret, "bench")
    return made


@dataclass
class Signer:
    """Round-robin over devices; `environ(body)` is a ready WSGI environ for one request."""

    devices: list[tuple[str, str]]
    path: str = TURN_PATH
    _next: int = field(default=0, init=False)

    def environ(self, body: dict[str, Any]) -> dict[str, Any]:
        device_id, secret = self.devices[self._next % len(self.devices)]
        self._next += 1
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


def verified_session(app: Flask, signer: Signer) -> str:
    """A conversation verified with the PIN: after it, balance turns need no PIN."""
    status, body = call(app, prepare([signer.environ({"utterance": BALANCE, "session_id": None})])[0])
    reply = json.loads(body)
    assert status == 200 and reply["awaiting"] == "pin", (status, reply)
    session_id = reply["session_id"]
    status, body = call(app, prepare([signer.environ({"utterance": PIN, "session_id": session_id})])[0])
    reply = json.loads(body)
    assert status == 200 and reply["status"] == "completed" and reply["data"], (status, reply)
    return session_id


def balance_turns(signer: Signer, session_id: str, n: int) -> list[dict[str, Any]]:
    return prepare([signer.environ({"utterance": BALANCE, "session_id": session_id}) for _ in range(n)])


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
