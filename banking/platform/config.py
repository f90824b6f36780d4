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
    #: an append-only JSON Lines file that every new checkpoint is also written to, for an
    #: operator to ship off-host (COUCHBANK_AUDIT_CHECKPOINT_LOG); None: the database only
    audit_checkpoint_log: Path | None = None
    reconcile_every_s: float = 2.0
    #: partner reads and transfer sends run in separate bounded pools, so that neither can
    #: starve the other; work beyond a pool's threads plus its queue is refused at once
    read_workers: int = 16
    read_queue: int = 32
    send_workers: int = 8
    send_queue: int = 64
    #: a reserved transfer whose send has not begun this long after it was written down is
    #: never sent (`banking.transfers.service`, the exactly-once rule)
    send_start_s: float = 5.0
    #: how far the clocks of couchbank's processes and a partner's may disagree
    clock_skew_s: float = 5.0
    run_background: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def send_window_s(self) -> float:
        """How long one send of a transfer can take to reach the bank: its connect and read
        timeouts. The request also tells the bank not to execute it after this."""
        return 2 * self.adapter_timeout_s

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
        audit_checkpoint_log=Path(env["COUCHBANK_AUDIT_CHECKPOINT_LOG"]).resolve()
        if env.get("COUCHBANK_AUDIT_CHECKPOINT_LOG") else None,
    )
    return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]
