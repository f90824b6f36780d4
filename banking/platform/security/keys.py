"""The master secret and the per-purpose keys derived from it.

The master secret comes from `COUCHBANK_MASTER_KEY` (hex or urlsafe base64 of 32+ bytes;
what several processes on one database must share) or, failing that, from a file under the
data directory created once with owner-only permissions. It never enters the database: that
is what keeps a stolen database from revealing PINs (a 4-digit PIN falls to any offline
search unless the hash is keyed) or decrypting TOTP seeds.
"""
from __future__ import annotations

import base64
import binascii
import os
import secrets
import time
from functools import cached_property
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MASTER_KEY_ENV = "COUCHBANK_MASTER_KEY"
MASTER_KEY_FILE = Path("keys") / "master.key"


class MasterKeyError(Exception):
    """A master key that cannot be used; the message never contains key material."""


def _decode(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))):
        try:
            raw = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) >= 32:
            return raw
    raise MasterKeyError(f"{MASTER_KEY_ENV} must be hex or base64 of at least 32 bytes")


def _load_or_create_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _decode(path.read_text())
    with os.fdopen(fd, "w") as f:
        secret = secrets.token_bytes(32)
        f.write(secret.hex())
        f.flush()
        os.fsync(f.fileno())
    return secret


def load_master_key(data_dir: Path, env: dict[str, str] | None = None) -> bytes:
    env = dict(os.environ) if env is None else env
    if env.get(MASTER_KEY_ENV):
        return _decode(env[MASTER_KEY_ENV])
    path = data_dir / MASTER_KEY_FILE
    for _ in range(50):
        try:
            return _load_or_create_file(path)
        except MasterKeyError:
            # another process is between creating the file and writing it
            time.sleep(0.02)
    raise MasterKeyError(f"unreadable master key file {path}")


class Keyring:
    """Per-purpose keys, each derived with HKDF so that no two uses share a key. The master
    secret is loaded on first use, so commands that need no key (`flask nlu parse`) never
    create one."""

    def __init__(self, master: bytes | Callable[[], bytes]) -> None:
        self._master = master

    @cached_property
    def master(self) -> bytes:
        return self._master() if callable(self._master) else self._master

    def derive(self, purpose: str, length: int = 32) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=length, salt=None,
            info=b"couchbank/v1/" + purpose.encode(),
        ).derive(self.master)

    @cached_property
    def pin_pepper(self) -> bytes:
        return self.derive("pin-pepper")

    @cached_property
    def encryption(self) -> bytes:
        return self.derive("aes-gcm-at-rest")

    @cached_property
    def audit_chain(self) -> bytes:
        return self.derive("audit-chain")

    @cached_property
    def token_pepper(self) -> bytes:
        return self.derive("auditor-token")

    @cached_property
    def checkpoint_signer(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.derive("audit-checkpoint-ed25519"))

    def __repr__(self) -> str:  # never print key material
        return "Keyring(<redacted>)"
