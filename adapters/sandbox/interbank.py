"""The link between the sandboxes: payee look-up before a transfer commits, and delivery of
the outgoing entries (the outbox) to the payee's bank, by bank code, until it acknowledges them.

Delivery is at-least-once from the sender and deduplicated by the receiver on the
interbank id, so each credit is posted exactly once, also across restarts of either side.
The wire form is the sandboxes' own (written account numbers, whole KRW), not a dialect.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

import requests
from flask import Blueprint, jsonify, request

from adapters.sandbox import ledger, logs, state
from adapters.sandbox.state import Sandbox

log = logging.getLogger(__name__)
blueprint = Blueprint("interbank", __name__, url_prefix="/_sandbox/interbank")


class PeerUnavailable(Exception):
    pass


class Peer:
    def __init__(self, bank_id: str, url: str, timeout_s: float = 3.0) -> None:
        self.bank_id = bank_id
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = requests.Session()

    def lookup(self, account: str) -> str | None:
        """The holder's name for an open account at the peer, None for no such account."""
        try:
            resp = self._session.get(f"{self.url}/_sandbox/interbank/accounts/{account}", timeout=self.timeout_s,
                                     headers=logs.request_id_headers())
        except requests.RequestException as exc:
            raise PeerUnavailable(type(exc).__name__) from None
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise PeerUnavailable(f"HTTP {resp.status_code}")
        return resp.json()["holder_name"]

    def deliver(self, entry: dict[str, Any]) -> bool:
        """True once the peer holds the credit; False if it refuses it for good."""
        resp = self._session.post(f"{self.url}/_sandbox/interbank", json=entry, timeout=self.timeout_s)
        if resp.status_code == 200:
            return True
        if resp.status_code in (404, 422):
            return False
        raise PeerUnavailable(f"HTTP {resp.status_code}")


def peer_urls_from_env(bank_id: str, banks: list[str]) -> dict[str, str]:
    """The other banks' sandbox URLs, `COUCHBANK_<CODE>_URL` (how `python app.py` and the
    tests wire them)."""
    found = {code: os.environ.get(f"COUCHBANK_{code.upper()}_URL", "") for code in banks if code != bank_id}
    return {code: url for code, url in found.items() if url}


def deliver_outbox(sandbox: Sandbox) -> None:
    """One pass over the entries due for (re)delivery; each goes to its payee's bank, which
    the transfer that made it names."""
    if not sandbox.peers:
        return
    rows = sandbox.db.query(
        "SELECT outbox.*, transfers.to_bank FROM outbox JOIN transfers ON transfers.key = outbox.reference"
        " WHERE outbox.state = 'pending' AND outbox.next_try <= ? ORDER BY outbox.rowid LIMIT 50", (time.time(),)
    )
    for row in rows:
        entry = {k: row[k] for k in ("interbank_id", "reference", "from_account", "from_name", "to_account", "amount")}
        entry["from_bank"] = sandbox.bank.id
        peer = sandbox.peers.get(row["to_bank"])
        try:
            if peer is None:
                raise PeerUnavailable(f"no interbank link to {row['to_bank']}")
            accepted = peer.deliver(entry)
        except (requests.RequestException, PeerUnavailable, ValueError) as exc:
            backoff = min(2.0, 0.1 * 2 ** row["attempts"])
            log.info("interbank %s not delivered (%s); retry in %.1f s", row["interbank_id"], type(exc).__name__, backoff)
            with sandbox.db.transaction() as conn:
                conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, next_try = ? WHERE interbank_id = ?",
                    (time.time() + backoff, row["interbank_id"]),
                )
            continue
        with sandbox.db.transaction() as conn:
            if accepted:
                conn.execute("UPDATE outbox SET state = 'delivered' WHERE interbank_id = ?", (row["interbank_id"],))
                continue
            # the payee account closed after the look-up: the money comes back to the sender
            ledger.post(conn, row["from_account"], row["amount"], "반환", row["reference"])
            conn.execute("UPDATE outbox SET state = 'returned' WHERE interbank_id = ?", (row["interbank_id"],))


@blueprint.get("/accounts/<number>")
def account(number: str) -> Any:
    sandbox = state.current()
    found = ledger.get_account(sandbox.db.connection(), number)
    if found is None or not found.open:
        return jsonify({"error": "no such account"}), 404
    return jsonify({"account": found.number, "holder_name": found.holder_name})


@blueprint.post("")
def receive() -> Any:
    sandbox = state.current()
    entry = request.get_json(silent=True) or {}
    try:
        interbank_id, account_no, amount = str(entry["interbank_id"]), str(entry["to_account"]), entry["amount"]
        sender, reference = str(entry["from_name"]), entry.get("reference")
    except KeyError as exc:
        return jsonify({"error": f"missing {exc.args[0]}"}), 400
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return jsonify({"error": "amount must be a positive integer"}), 400
    with sandbox.db.transaction() as conn:
        seen = conn.execute("SELECT posting_id FROM inbound WHERE interbank_id = ?", (interbank_id,)).fetchone()
        if seen:
            return jsonify({"status": "duplicate", "posting_id": seen[0]})
        payee = ledger.get_account(conn, account_no)
        if payee is None or not payee.open:
            return jsonify({"error": "no such account"}), 404
        posting = ledger.post(conn, account_no, amount, sender, reference)
        conn.execute("INSERT INTO inbound (interbank_id, posting_id) VALUES (?, ?)", (interbank_id, posting.posting_id))
    return jsonify({"status": "credited", "posting_id": posting.posting_id})
