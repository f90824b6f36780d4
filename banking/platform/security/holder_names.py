"""Payees' account holders' names at rest (the recipient check, CONTRACT §10): personal data,
so sealed like the account numbers (AES-GCM under the at-rest key, bound to the payee's row),
and opened only to compare with what the payee's bank answers."""
from __future__ import annotations

from banking.platform.security import crypto
from banking.platform.security.keys import Keyring


def holder_context(user_id: str, payee: str) -> str:
    return f"payees.holder:{user_id}:{payee}"


def seal(keys: Keyring, user_id: str, payee: str, holder: str) -> bytes:
    return crypto.encrypt(keys.encryption, holder.encode(), context=holder_context(user_id, payee))


def unseal(keys: Keyring, user_id: str, payee: str, blob: bytes) -> str:
    return crypto.decrypt(keys.encryption, bytes(blob), context=holder_context(user_id, payee)).decode()
