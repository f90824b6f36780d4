"""Builds one sandbox: its database, its dialect, the operator API and the interbank links."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from adapters.credentials import partner_credentials
from adapters.sandbox import interbank, ledger, logs, operator, worker
from adapters.sandbox.banks import dialects
from adapters.sandbox.db import Database
from adapters.sandbox.state import EXTENSION, Sandbox


def peer_urls_from_env(bank_id: str) -> dict[str, str]:
    return interbank.peer_urls_from_env(bank_id, list(dialects()))


def create_app(bank_id: str, data_dir: Path, *, peer_urls: Mapping[str, str] | None = None,
               background: bool = True) -> Flask:
    """The Flask app of sandbox `bank_id` (any installed dialect), storing under
    `<data_dir>/sandbox/<bank_id>.sqlite3`; `peer_urls` are the other banks' sandboxes by
    code. `background` starts the worker thread."""
    dialect = dialects()[bank_id]
    bank = dialect.BANK
    data_dir = Path(data_dir)
    db = Database(data_dir / "sandbox" / f"{bank_id}.sqlite3", dialect.SCHEMA)
    ledger.seed(db, bank)
    sandbox = Sandbox(
        bank=bank, db=db, credentials=partner_credentials(bank_id, data_dir, bank.info.credentials),
        dialect=dialect.ERRORS, data_dir=data_dir,
        peers={code: interbank.Peer(code, url) for code, url in (peer_urls or {}).items() if code != bank_id},
    )
    app = Flask(f"sandbox-{bank_id}")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions[EXTENSION] = sandbox
    logs.init_app(app)  # JSON access lines under the caller's request id, for every dialect
    app.register_blueprint(operator.blueprint)
    app.register_blueprint(interbank.blueprint)
    app.register_blueprint(dialect.blueprint)
    if background:
        worker.start(sandbox)
    return app
