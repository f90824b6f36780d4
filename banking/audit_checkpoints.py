"""Signed checkpoints of the chain head (in the spirit of RFC 6962's signed tree heads).

An auditor keeps a checkpoint off-host; later, `verify_saved` proves the trail has only grown
since: the signature holds under this service's Ed25519 key, and the event at the saved seq
still carries the saved hash (so a tail truncated back past it is caught and named).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection, select

from banking.audit import iso
from banking.audit_verify import VerifyResult, snapshot, verify_in
from banking.security.keys import Keyring
from banking.store import insert_ignore
from banking.store.database import Database
from banking.store.tables import audit_checkpoints, audit_events, audit_head

#: domain separation: this key signs nothing else, but a signature names what it is for
CONTEXT = b"couchbank audit checkpoint v1\n"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    at: str
    signature: str
    public_key: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def signed_bytes(seq: int, head_hash: str, at: str) -> bytes:
    body = {"seq": seq, "head_hash": head_hash, "at": at}
    return CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def public_key_hex(keys: Keyring) -> str:
    return keys.checkpoint_signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _from_row(row: Mapping[str, Any]) -> Checkpoint:
    return Checkpoint(row["seq"], row["head_hash"], iso(row["at"]), row["signature"], row["public_key"])


def write(db: Database, keys: Keyring, now: dt.datetime) -> Checkpoint:
    """Sign the current head; a head that was already signed keeps its first checkpoint."""
    with db.begin() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
        at = iso(now)
        signature = keys.checkpoint_signer.sign(signed_bytes(head.seq, head.hash, at)).hex()
        insert_ignore(conn, audit_checkpoints, {
            "seq": head.seq, "head_hash": head.hash, "at": now, "signature": signature,
            "public_key": public_key_hex(keys),
        })
        row = conn.execute(select(audit_checkpoints).where(audit_checkpoints.c.seq == head.seq)).mappings().one()
    return _from_row(row)


def recent(conn: Connection, limit: int = 100) -> list[Checkpoint]:
    rows = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(limit)).mappings()
    return [_from_row(row) for row in rows]


def signature_ok(keys: Keyring, checkpoint: Mapping[str, Any]) -> bool:
    """The signature holds and was made with this service's key (a checkpoint signed by any
    other key proves nothing about this trail)."""
    try:
        if checkpoint["public_key"] != public_key_hex(keys):
            return False
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint["public_key"])).verify(
            bytes.fromhex(checkpoint["signature"]),
            signed_bytes(int(checkpoint["seq"]), checkpoint["head_hash"], checkpoint["at"]),
        )
        return True
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False


def _in_chain(conn: Connection, seq: int, head_hash: str) -> tuple[bool, int | None, str | None]:
    """(ok, first bad seq, reason) for a verified chain and one saved (seq, hash)."""
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    if seq > head.seq:
        return False, head.seq + 1, f"the trail ends at seq {head.seq} but was checkpointed at seq {seq}"
    if seq < head.anchor_seq:
        return True, None, f"seq {seq} predates the retention anchor ({head.anchor_seq}); pruned by a recorded prune"
    if seq == head.anchor_seq:
        found = head.anchor_hash  # the genesis hash until the first prune
    else:
        found = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == seq)).scalar()
    if found != head_hash:
        return False, seq, f"event {seq} no longer carries the checkpointed hash"
    return True, None, None


def verify_saved(db: Database, keys: Keyring, checkpoint: Mapping[str, Any]) -> VerifyResult:
    """The chain verifies and the saved checkpoint is still part of it, signature included."""
    with snapshot(db) as conn:
        result = verify_in(conn, keys.audit_chain)
        if not signature_ok(keys, checkpoint):
            return VerifyResult(False, result.checked, None, "the checkpoint's signature does not hold",
                                result.head_seq, result.head_hash)
        if not result.ok:
            return result
        ok, bad_seq, reason = _in_chain(conn, int(checkpoint["seq"]), checkpoint["head_hash"])
    return VerifyResult(ok, result.checked, bad_seq, reason, result.head_seq, result.head_hash)
