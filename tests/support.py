"""Test helpers shared across the suite: fresh databases, app construction, signed devices."""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from banking.auth.otp import _TOTP
from banking.auth.signing import signed_headers
from banking.platform import config

PG_URL = os.environ.get("DATABASE_URL", "")
HAS_PG = PG_URL.startswith("postgresql")


def fresh_pg_database() -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL database on the server DATABASE_URL names, and its dropper."""
    base = make_url(PG_URL)
    name = f"cbtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> config.Settings:
    env = {"COUCHBANK_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
           "COUCHBANK_BACKGROUND": "0"}
    return config.load(env, **overrides)


def nonce() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class Device:
    """A signed device talking to the service through `send(method, path, body, headers)`,
    which returns (status, parsed JSON or None)."""

    send: Callable[[str, str, bytes, dict[str, str]], tuple[int, Any]]
    device_id: str = "demo-tv"
    secret: str = "demo-tv-secret"
    session_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def request(self, method: str, path: str, body: Any = None, **header_overrides: str) -> tuple[int, Any]:
        raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        headers = signed_headers(self.device_id, self.secret, method, path.split("?")[0], raw,
                                 now=time.time(), nonce=nonce())
        headers.update(header_overrides)
        status, reply = self.send(method, path, raw, headers)
        from tests import leak_scan

        leak_scan.observe(f"reply {method} {path}", json.dumps(reply, ensure_ascii=False))
        return status, reply

    def turn(self, utterance: str, *, new: bool = False, locale: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"utterance": utterance,
                                "session_id": None if new else self.session_id}
        if locale:
            body["locale"] = locale
        status, reply = self.request("POST", "/v1/voice/turn", body)
        assert status == 200, (status, reply)
        self.session_id = reply["session_id"]
        self.history.append(reply)
        return reply


def flask_transport(client: Any) -> Callable[[str, str, bytes, dict[str, str]], tuple[int, Any]]:
    def send(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = client.open(path, method=method, data=body, headers=headers)
        return response.status_code, response.get_json(silent=True)
    return send


def http_transport(base_url: str) -> Callable[[str, str, bytes, dict[str, str]], tuple[int, Any]]:
    import requests

    session = requests.Session()

    def send(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = session.request(method, base_url + path, data=body, headers=headers, timeout=30)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None
    return send


DEMO_TOTP = _TOTP("JBSWY3DPEHPK3PXP")


class Clock:
    """The service's clock, movable by tests (5-minute sessions, 30-minute locks, OTP steps,
    reconciliation backoff)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **kw: float) -> None:
        self.offset += dt.timedelta(**kw)

    def otp(self) -> str:
        return DEMO_TOTP.at(self())
