"""Settings from the environment: the same variables serve `python app.py`, `flask --app app`
and gunicorn (CONTRACT §1)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    partner_urls: dict[str, str]
    adapter_timeout_s: float = 5.0
    #: "development" enables the demo helpers (the console's signer); "production" never does
    environment: str = "development"
    #: a voice turn answers within this many seconds, whatever a partner does (CONTRACT §5)
    turn_budget_s: float = 7.0
    signature_window_s: int = 300
    device_requests_per_minute: int = 120
    session_idle_s: int = 300
    audit_retention_days: int = 5 * 366
    checkpoint_every_s: int = 3600
    reconcile_every_s: float = 2.0
    run_background: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def demo_helpers(self) -> bool:
        return self.environment != "production"

    def with_overrides(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]


def load(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("COUCHBANK_DATA_DIR", "var")).resolve()
    port = int(env.get("COUCHBANK_PORT", DEFAULT_PORT))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'couchbank.sqlite3'}"
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        partner_urls={
            "kbank": env.get("COUCHBANK_KBANK_URL", f"http://127.0.0.1:{port + 1}"),
            "woori": env.get("COUCHBANK_WOORI_URL", f"http://127.0.0.1:{port + 2}"),
        },
        adapter_timeout_s=float(env.get("COUCHBANK_ADAPTER_TIMEOUT_S", "5")),
        environment=env.get("COUCHBANK_ENV", "development"),
        audit_retention_days=int(env.get("COUCHBANK_AUDIT_RETENTION_DAYS", str(5 * 366))),
        run_background=env.get("COUCHBANK_BACKGROUND", "1") != "0",
    )
    return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]
