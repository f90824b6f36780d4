"""Settings from the environment: the same variables serve `python app.py`, `flask --app app`
and gunicorn (CONTRACT §1)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

from adapters import registry
from adapters.base import BankInfo

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
    #: never sent (`banking.transfers.send`, the exactly-once rule)
    send_start_s: float = 5.0
    #: how far the clocks of couchbank's processes and a partner's may disagree
    clock_skew_s: float = 5.0
    run_background: bool = True
    #: CONTRACT §8, held transfers (`banking.transfers.hold`): a payee is new for this many
    #: hours after registration, and a transfer to a new payee is held this many minutes
    #: (지연이체: a fixed delay, the 3 hours Korean banks use); COUCHBANK_NEW_PAYEE_HOLD_MINUTES
    new_payee_hours: int = 72
    new_payee_hold_minutes: int = 180
    #: how often the scheduler looks for held transfers that are due
    release_every_s: float = 2.0
    #: notices are kept this long (`banking.notices`)
    notice_retention_days: int = 7
    #: long polls of `GET /v1/notices` one process lets wait at once; more are answered at
    #: once, so that waiting devices never hold every request thread (gunicorn's 8)
    notice_waiters: int = 4
    #: assistant channels (CONTRACT §7, `banking.assistants`): the Alexa skill's id
    #: (COUCHBANK_ALEXA_SKILL_ID; unset refuses every Alexa request), a PEM bundle of the
    #: roots Alexa's certificate chains may end in (COUCHBANK_ALEXA_TRUST_ROOTS; None:
    #: certifi's), a directory of chains stored by URL (COUCHBANK_ALEXA_CERT_CACHE), and the
    #: token NUGU's backend proxy sends (COUCHBANK_NUGU_TOKEN; unset refuses every request)
    alexa_skill_id: str | None = None
    alexa_trust_roots: Path | None = None
    alexa_cert_cache: Path | None = None
    nugu_token: str | None = None
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


def partner_url_variable(code: str) -> str:
    return f"COUCHBANK_{code.upper()}_URL"


def sandbox_url(bank: BankInfo, port: int) -> str | None:
    """Where `python app.py` serves the bank's sandbox next to a service on `port`."""
    return f"http://127.0.0.1:{port + bank.sandbox.port_offset}" if bank.sandbox else None


def partner_urls(env: Mapping[str, str], port: int, banks: Iterable[BankInfo]) -> dict[str, str]:
    """Each installed partner's base URL: `COUCHBANK_<CODE>_URL`, else its sandbox's."""
    urls = {}
    for bank in banks:
        url = env.get(partner_url_variable(bank.code), sandbox_url(bank, port))
        if url is None:
            raise ValueError(f"{partner_url_variable(bank.code)} is not set and the {bank.code} adapter has no sandbox")
        urls[bank.code] = url
    return urls


def load(env: Mapping[str, str] | None = None, *, banks: Iterable[BankInfo] | None = None,
         **overrides: object) -> Settings:
    """`banks`: the installed partners (default: the registry's catalogue)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("COUCHBANK_DATA_DIR", "var")).resolve()
    port = int(env.get("COUCHBANK_PORT", DEFAULT_PORT))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'couchbank.sqlite3'}"
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        partner_urls=partner_urls(env, port, registry.catalogue() if banks is None else banks),
        adapter_timeout_s=float(env.get("COUCHBANK_ADAPTER_TIMEOUT_S", "5")),
        environment=env.get("COUCHBANK_ENV", "development"),
        audit_retention_days=int(env.get("COUCHBANK_AUDIT_RETENTION_DAYS", str(5 * 366))),
        run_background=env.get("COUCHBANK_BACKGROUND", "1") != "0",
        new_payee_hold_minutes=int(env.get("COUCHBANK_NEW_PAYEE_HOLD_MINUTES", "180")),
        audit_checkpoint_log=Path(env["COUCHBANK_AUDIT_CHECKPOINT_LOG"]).resolve()
        if env.get("COUCHBANK_AUDIT_CHECKPOINT_LOG") else None,
        alexa_skill_id=env.get("COUCHBANK_ALEXA_SKILL_ID") or None,
        alexa_trust_roots=Path(env["COUCHBANK_ALEXA_TRUST_ROOTS"]) if env.get("COUCHBANK_ALEXA_TRUST_ROOTS") else None,
        alexa_cert_cache=Path(env["COUCHBANK_ALEXA_CERT_CACHE"]) if env.get("COUCHBANK_ALEXA_CERT_CACHE") else None,
        nugu_token=env.get("COUCHBANK_NUGU_TOKEN") or None,
    )
    return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]
