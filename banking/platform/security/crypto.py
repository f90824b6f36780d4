"""Encryption at rest (AES-GCM) and keyed hashing, with constant-time comparison."""
from __future__ import annotations

import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


@functools.lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    # building one costs more than decrypting a short field, and a turn opens one or two
    # account numbers; it holds only the key and is safe to share between threads
    return AESGCM(key)


def encrypt(key: bytes, plaintext: bytes, *, context: str) -> bytes:
    """`context` (e.g. "totp:demo") is bound as associated data, so a ciphertext copied
    to another row or purpose fails to decrypt."""
    nonce = os.urandom(_NONCE)
    return nonce + _aead(key).encrypt(nonce, plaintext, context.encode())


def decrypt(key: bytes, blob: bytes, *, context: str) -> bytes:
    return _aead(key).decrypt(blob[:_NONCE], blob[_NONCE:], context.encode())


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
