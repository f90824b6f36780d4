"""Signed checkpoints of the chain head (in the spirit of RFC 6962's signed tree heads).

The keyed chain alone cannot tell that its tail was cut and the head row rewound to the new
end: what is left is a perfectly good, shorter chain. A checkpoint signs (seq, hash, time)
with this service's Ed25519 key; `verify_trail` holds the chain to the newest checkpoint
whose signature holds, and `verify_saved` to one an auditor kept off-host (or shipped from
the checkpoint log, `banking.audit.checkpoint_log`).

Checkpoint rows are evidence, so they are judged, not trusted: a row whose signature does not
hold under this service's key, above the newest one that does, fails verify (it is either
forged or the newest genuine checkpoint defaced to hide a cut), and so does a lower row that
disagrees with the chain (a genuine one cannot, once the chain and the newest checkpoint
agree). Deleting checkpoint rows cannot be seen from inside the database: that is what the
off-host copies are for.

A checkpoint is only ever signed as an extension of the newest one: never for a head below
it, and only after the events since it verify (an RFC 6962 consistency check, by walking).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection, Row, select

from banking.audit import checkpoint_log as audit_checkpoint_log
from banking.audit.trail import iso
from banking.audit.verify import Progress, VerifyResult, snapshot, verify_in, walk
from banking.platform.security.keys import Keyring
from banking.platform.store import insert_ignore
from banking.platform.store.database import Database
from banking.platform.store.tables import audit_checkpoints, audit_events, audit_head

#: domain separation: this key signs nothing else, but a signature names what it is for
CONTEXT = b"couchbank audit checkpoint v1\n"


class CheckpointRefused(Exception):
    """The head cannot be signed: it is below a checkpoint, or the trail since the newest
    checkpoint does not verify. Signing it would launder the tampering."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    signature: str
    key_id: str
    public_key: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def signed_bytes(seq: int, head_hash: str, at: str) -> bytes:
    """What the signature covers: CONTEXT, then compact JSON with sorted keys."""
    body = {"seq": seq, "head_hash": head_hash, "at": at}
    return CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def public_key_hex(keys: Keyring) -> str:
    return keys.checkpoint_signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_id(public_key: str) -> str:
    """A short fingerprint of an Ed25519 public key (raw, hex): SHA-256, first 16 hex digits."""
    return "ed25519:" + hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:16]


def _from_row(row: Mapping[str, Any]) -> Checkpoint:
    return Checkpoint(row["seq"], row["head_hash"], iso(row["at"]), row["signature"],
                      key_id(row["public_key"]), row["public_key"])


@dataclass(frozen=True)
class Listed:
    checkpoints: list[Checkpoint]
    next_before_seq: int | None  # None on the last page


def recent(conn: Connection, limit: int, before_seq: int | None = None) -> Listed:
    """Checkpoints newest first, those below `before_seq` when given (the next page)."""
    query = select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(limit + 1)
    if before_seq is not None:
        query = query.where(audit_checkpoints.c.seq < before_seq)
    found = [_from_row(row) for row in conn.execute(query).mappings()]
    return Listed(found[:limit], found[limit - 1].seq if len(found) > limit else None)


def signature_ok(keys: Keyring, checkpoint: Mapping[str, Any]) -> bool:
    """The signature holds under this service's key (a checkpoint that names or was signed
    by any other key proves nothing about this trail)."""
    own = public_key_hex(keys)
    try:
        if checkpoint.get("public_key", own) != own or checkpoint.get("key_id", key_id(own)) != key_id(own):
            return False
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(own)).verify(
            bytes.fromhex(checkpoint["signature"]),
            signed_bytes(int(checkpoint["seq"]), checkpoint["hash"], checkpoint["at"]),
        )
        return True
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False


def _head(conn: Connection, *, lock: bool = False) -> Row[Any]:
    query = select(audit_head).where(audit_head.c.id == 1)
    return conn.execute(query.with_for_update() if lock else query).one()


def _hash_at(conn: Connection, head: Row[Any], seq: int) -> str | None:
    """The chain's hash at `seq`: the anchor's, an event's, or None outside the trail."""
    if seq == head.anchor_seq:
        return head.anchor_hash  # the genesis hash until the first prune
    if head.anchor_seq < seq <= head.seq:
        return conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == seq)).scalar()
    return None


def _newest_signed(conn: Connection, keys: Keyring) -> tuple[Checkpoint | None, int | None]:
    """(the newest checkpoint whose signature holds, the lowest seq of a row above it that
    does not hold). Only the rows from the top down to the first good one are checked: one
    signature check each, not one per checkpoint ever written."""
    unsigned = None
    rows = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc())).mappings()
    for row in rows:
        checkpoint = _from_row(row)
        if signature_ok(keys, checkpoint.as_dict()):
            return checkpoint, unsigned
        unsigned = checkpoint.seq
    return None, unsigned


def _disagreeing(conn: Connection, head: Row[Any], below: int) -> int | None:
    """The lowest checkpoint seq in the kept trail, below `below`, whose hash is not the chain's."""
    events = audit_events.alias("e")
    query = (select(audit_checkpoints.c.seq)
             .outerjoin(events, events.c.seq == audit_checkpoints.c.seq)
             .where(audit_checkpoints.c.seq > head.anchor_seq, audit_checkpoints.c.seq < below,
                    (events.c.hash.is_(None)) | (events.c.hash != audit_checkpoints.c.head_hash))
             .order_by(audit_checkpoints.c.seq).limit(1))
    return conn.execute(query).scalar()


def _against(conn: Connection, head: Row[Any], seq: int, head_hash: str) -> tuple[int | None, str | None]:
    """(first bad seq, reason) of a verified chain held to one signed (seq, hash); the
    reason alone when the seq was pruned by a recorded prune and cannot be compared."""
    if seq > head.seq:
        return seq, (f"the trail ends at seq {head.seq} but was checkpointed at seq {seq}: "
                     f"events {head.seq + 1}..{seq} are missing")
    if seq < head.anchor_seq:
        return None, f"seq {seq} predates the retention anchor ({head.anchor_seq}); pruned by a recorded prune"
    if _hash_at(conn, head, seq) != head_hash:
        return seq, f"event {seq} no longer carries the checkpointed hash"
    return None, None


def _held_to_table(conn: Connection, keys: Keyring, result: VerifyResult) -> VerifyResult:
    """A verified chain held to the checkpoint table (see the module docstring)."""
    head = _head(conn)
    newest, unsigned = _newest_signed(conn, keys)
    bad_seq, reason = _against(conn, head, newest.seq, newest.hash) if newest else (None, None)
    if bad_seq is None and unsigned is not None:
        bad_seq, reason = unsigned, f"the checkpoint at seq {unsigned} does not hold under this service's key"
    if bad_seq is None and newest is not None and (lower := _disagreeing(conn, head, newest.seq)) is not None:
        bad_seq, reason = lower, f"the checkpoint at seq {lower} disagrees with the chain"
    if bad_seq is not None:
        return VerifyResult(False, result.checked, bad_seq, reason, result.head_seq, result.head_hash)
    return result


def verify_trail(db: Database, keys: Keyring, progress: Progress | None = None) -> VerifyResult:
    """The chain verifies, and agrees with the checkpoints it has signed (CONTRACT §6 as
    amended): a tail cut back below the newest checkpoint is found and the checkpoint named.
    `progress` is told the number of events of each batch checked (`flask audit verify`)."""
    with snapshot(db) as conn:
        result = verify_in(conn, keys.audit_chain, progress)
        return _held_to_table(conn, keys, result) if result.ok else result


def verify_saved(db: Database, keys: Keyring, checkpoint: Mapping[str, Any]) -> VerifyResult:
    """`verify_trail`, and the saved checkpoint is still part of the chain, signature included.
    A signature that does not hold answers `ok: false` with no seq to name."""
    with snapshot(db) as conn:
        result = verify_in(conn, keys.audit_chain)
        if not signature_ok(keys, checkpoint):
            return VerifyResult(False, result.checked, None, "the checkpoint's signature does not hold",
                                result.head_seq, result.head_hash)
        if not result.ok:
            return result
        result = _held_to_table(conn, keys, result)
        if not result.ok:
            return result
        bad_seq, reason = _against(conn, _head(conn), int(checkpoint["seq"]), checkpoint["hash"])
    return VerifyResult(bad_seq is None, result.checked, bad_seq, reason, result.head_seq, result.head_hash)


def _extension_checked(db: Database, keys: Keyring) -> tuple[Row[Any], Checkpoint | None]:
    """(the head, the newest checkpoint) once the head is shown to extend that checkpoint;
    read without locks, so that appends never wait for the walk."""
    with snapshot(db) as conn:
        head = _head(conn)
        newest, unsigned = _newest_signed(conn, keys)
        if unsigned is not None:
            raise CheckpointRefused(f"the checkpoint at seq {unsigned} does not hold under this service's key")
        if newest is not None and head.seq < newest.seq:
            raise CheckpointRefused(f"the head (seq {head.seq}) is below the checkpoint at seq {newest.seq}")
        start = newest if newest is not None and newest.seq >= head.anchor_seq else None
        done = walk(conn, keys.audit_chain, start.seq if start else head.anchor_seq,
                    start.hash if start else head.anchor_hash, upto=head.seq)
        if done.bad_seq is not None or (done.last_seq, done.last_hash) != (head.seq, head.hash):
            raise CheckpointRefused(f"the trail does not verify up to its head (seq {done.bad_seq or head.seq})")
    return head, newest


def write(db: Database, keys: Keyring, clock: Callable[[], dt.datetime], log: Path | None = None) -> Checkpoint:
    """Sign the current head, also to the checkpoint log when one is set; a head signed
    already keeps its first checkpoint. Raises CheckpointRefused (see the module docstring)
    and `audit_checkpoint_log.CheckpointLogUnavailable` (then nothing is written)."""
    head, newest = _extension_checked(db, keys)
    if newest is not None and newest.seq == head.seq:
        return newest
    public_key = public_key_hex(keys)
    with db.begin() as conn:
        # the head row's lock orders checkpoint writers (and appends) for these few statements
        locked = _head(conn, lock=True)
        top = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(1)).mappings().first()
        if top is not None and top["seq"] >= head.seq:
            return _from_row(top)  # another process signed this head, or a later one, meanwhile
        if locked.seq < head.seq or _hash_at(conn, locked, head.seq) != head.hash:
            raise CheckpointRefused(f"the trail changed below seq {head.seq} while it was being checked")
        # timed under the lock, so that checkpoints are signed in the order of their times too
        now = clock()
        at = iso(now)
        signature = keys.checkpoint_signer.sign(signed_bytes(head.seq, head.hash, at)).hex()
        made = Checkpoint(head.seq, head.hash, at, signature, key_id(public_key), public_key)
        insert_ignore(conn, audit_checkpoints, {"seq": head.seq, "head_hash": head.hash, "at": now,
                                                "signature": signature, "public_key": public_key})
        if log is not None:
            # before the commit: a line whose row then fails to commit still signs a real head
            audit_checkpoint_log.append(log, made.as_dict())
    return made
