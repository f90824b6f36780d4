"""The stack's floor: the least a signed JSON endpoint on this stack can do. A bare Flask
route that parses the same JSON body, checks the same HMAC signature (CONTRACT §3) and
durably commits one row through the same `Database` (same engine, same pragmas)."""
from __future__ import annotations

import hmac

from flask import Flask, abort, jsonify, request
from sqlalchemy import Column, MetaData, String, Table, Text

from banking.auth import signing
from banking.platform.store import Database

_metadata = MetaData()
floor_rows = Table(
    "bench_floor", _metadata,
    Column("nonce", String(64), primary_key=True),
    Column("device_id", String(64), nullable=False),
    Column("body", Text, nullable=False),
)


def create_floor_app(db: Database, secrets: dict[str, str], path: str) -> Flask:
    _metadata.create_all(db.engine)
    app = Flask("couchbank-floor")

    @app.post(path)
    def turn():  # type: ignore[no-untyped-def]
        body = request.get_data(cache=True)
        headers = request.headers
        device_id = headers.get("X-Device-Id", "")
        timestamp, nonce = headers.get("X-Timestamp", ""), headers.get("X-Nonce", "")
        secret = secrets.get(device_id, "unknown-device")
        expected = signing.sign(secret, request.method, request.path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            abort(401)
        payload = request.get_json()
        with db.begin() as conn:
            conn.execute(floor_rows.insert().values(nonce=nonce, device_id=device_id,
                                                    body=payload["utterance"]))
        return jsonify({"ok": True})

    return app
