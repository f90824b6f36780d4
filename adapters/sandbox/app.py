"""Builds one sandbox: its database, its dialect, the operator API and the interbank link."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from adapters.credentials import partner_credentials
from adapters.sandbox import interbank, kbank, ledger, operator, woori, worker
from adapters.sandbox.banks import BANKS, peer_of
from adapters.sandbox.db import Database
from adapters.sandbox.state import EXTENSION, Sandbox

DIALECTS = {"kbank": kbank, "woori": woori}


def peer_url_from_env(bank_id: str) -> str | None:
    return os.environ.get(f"COUCHBANK_{peer_of(bank_id).upper()}_URL") or None


def create_app(bank_id: str, data_dir: Path, *, peer_url: str | None = None, background: bool = True) -> Flask:
    """The Flask app of sandbox `bank_id` ("kbank" or "woori"), storing under
    `<data_dir>/sandbox/<bank_id>.sqlite3`. `background` starts the worker thread."""
    bank, dialect = BANKS[bank_id], DIALECTS[bank_id]
    data_dir = Path(data_dir)
    db = Database(data_dir / "sandbox" / f"{bank_id}.sqlite3", dialect.SCHEMA)
    ledger.seed(db, bank)
    sandbox = Sandbox(
        bank=bank, db=db, credentials=partner_credentials(bank_id, data_dir), dialect=dialect.ERRORS,
        peer=interbank.Peer(peer_of(bank_id), peer_url) if peer_url else None, data_dir=data_dir,
    )
    app = Flask(f"sandbox-{bank_id}")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions[EXTENSION] = sandbox
    app.register_blueprint(operator.blueprint)
    app.register_blueprint(interbank.blueprint)
    app.register_blueprint(dialect.blueprint)
    if background:
        worker.start(sandbox)
    return app
