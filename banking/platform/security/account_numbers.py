"""Full account numbers at rest (the users' accounts, payees, transfers): AES-GCM under the
at-rest key, with the last four digits kept beside them in clear for display and matching.

Each ciphertext is bound to its table, row and column and to those last four digits, so a
ciphertext copied to another row, or a `last4` edited in place, fails to open. Only a partner
call and a transfer to a payee need a whole number; nothing else opens one.
"""
from __future__ import annotations

from typing import Any

from banking.core.formats import last4
from banking.platform.security import crypto
from banking.platform.security.keys import Keyring


def seal(keys: Keyring, number: str, context: str) -> tuple[bytes, str]:
    """The ciphertext and the last four digits of `number`."""
    four = last4(number)
    return crypto.encrypt(keys.encryption, number.encode(), context=f"{context}:{four}"), four


def unseal(keys: Keyring, blob: bytes, four: str, context: str) -> str:
    return crypto.decrypt(keys.encryption, bytes(blob), context=f"{context}:{four}").decode()


def account_context(user_id: str, bank: str) -> str:
    return f"accounts.number:{user_id}:{bank}"


def payee_context(user_id: str, name: str) -> str:
    return f"payees.number:{user_id}:{name}"


def transfer_context(transfer_id: str, column: str) -> str:
    """`column`: `from_account` or `to_account`."""
    return f"transfers.{column}:{transfer_id}"


def account_values(keys: Keyring, user_id: str, bank: str, number: str) -> dict[str, Any]:
    blob, four = seal(keys, number, account_context(user_id, bank))
    return {"number_enc": blob, "last4": four}


def payee_values(keys: Keyring, user_id: str, name: str, number: str) -> dict[str, Any]:
    blob, four = seal(keys, number, payee_context(user_id, name))
    return {"number_enc": blob, "last4": four}


def transfer_values(keys: Keyring, transfer_id: str, from_account: str, to_account: str) -> dict[str, Any]:
    from_blob, from_four = seal(keys, from_account, transfer_context(transfer_id, "from_account"))
    to_blob, to_four = seal(keys, to_account, transfer_context(transfer_id, "to_account"))
    return {"from_account_enc": from_blob, "from_last4": from_four,
            "to_account_enc": to_blob, "to_last4": to_four}


def account_number(keys: Keyring, row: Any) -> str:
    """The whole number of an `accounts` row (anything with its columns)."""
    return unseal(keys, row.number_enc, row.last4, account_context(row.user_id, row.bank))


def payee_number(keys: Keyring, user_id: str, payee: Any) -> str:
    """The whole number of a payee (a `payees` row or a `payee_match.Payee`) of `user_id`."""
    return unseal(keys, payee.number_enc, payee.last4, payee_context(user_id, payee.name))


def transfer_number(keys: Keyring, transfer: Any, column: str) -> str:
    """`column` of a transfer (a `transfers` row or a `transfers.Transfer`), whole."""
    prefix = column.split("_", 1)[0]
    return unseal(keys, getattr(transfer, f"{column}_enc"), getattr(transfer, f"{prefix}_last4"),
                  transfer_context(transfer.id, column))
