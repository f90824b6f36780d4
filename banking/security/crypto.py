"""Encryption at rest (AES-GCM) and keyed hashing, with constant-time comparison."""
from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


def encrypt(key: bytes, plaintext: bytes, *, context: str) -> bytes:
    """`context` (e.g. "totp:demo") is bound as associated data, so a ciphertext copied
    to another row or purpose fails to decrypt."""
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def decrypt(key: bytes, blob: bytes, *, context: str) -> bytes:
    return AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], context.encode())


def keyed_hash(key: bytes, *parts: str) -> str:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        data = part.encode()
        # length-prefix each part so ("ab", "c") and ("a", "bc") differ
        mac.update(len(data).to_bytes(4, "big") + data)
    return mac.hexdigest()


def same(a: str | bytes, b: str | bytes) -> bool:
    if isinstance(a, str):
        a = a.encode()
    if isinstance(b, str):
        b = b.encode()
    return hmac.compare_digest(a, b)
