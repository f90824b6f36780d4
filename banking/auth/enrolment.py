"""Enrolment (never by voice): users, PINs, accounts, payees, devices and TOTP. Used by the
`flask users ...` commands and the demo seed."""
from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import Connection, select, update

from adapters.base import digits_only
from banking.auth import otp, pin
from banking.core import banks
from banking.platform.security import account_numbers, crypto, holder_names
from banking.platform.security.keys import Keyring
from banking.platform.store.tables import accounts, devices, payees, users


class EnrolmentError(ValueError):
    """A refused enrolment step; the message never repeats a secret."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _require_user(conn: Connection, user_id: str) -> None:
    if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
        raise EnrolmentError(f"no user {user_id!r}")


def _require_bank(bank: str) -> None:
    installed = banks.installed()
    if bank not in installed:
        raise EnrolmentError(f"bank must be one of {', '.join(installed.codes)}")


def create_user(conn: Connection, user_id: str, display_name: str, *, locale: str = "ko-KR",
                otp_threshold: int = 300_000, per_transfer_limit: int = 1_000_000,
                daily_limit: int = 2_000_000) -> None:
    if not user_id or len(user_id) > 64:
        raise EnrolmentError("a user id is 1 to 64 characters")
    if conn.execute(select(users.c.id).where(users.c.id == user_id)).first():
        raise EnrolmentError(f"user {user_id!r} exists")
    conn.execute(users.insert().values(
        id=user_id, display_name=display_name, locale=locale, otp_threshold=otp_threshold,
        per_transfer_limit=per_transfer_limit, daily_limit=daily_limit, created_at=_now(),
    ))


def set_pin(conn: Connection, keys: Keyring, user_id: str, new_pin: str, *, allow_weak: bool = False) -> None:
    _require_user(conn, user_id)
    problem = pin.weakness(new_pin)
    if problem and not (allow_weak and new_pin.isdigit() and len(new_pin) in pin.PIN_LENGTHS):
        raise EnrolmentError(f"PIN refused: {problem}")
    conn.execute(update(users).where(users.c.id == user_id).values(
        pin_hash=pin.hash_pin(keys.pin_pepper, user_id, new_pin), pin_failures=0, locked_until=None,
    ))


def enrol_totp(conn: Connection, keys: Keyring, user_id: str, secret: str | None = None) -> str:
    """Store a (new) TOTP seed encrypted at rest; returns the provisioning URI, shown once."""
    _require_user(conn, user_id)
    secret = secret or otp.new_secret()
    blob = crypto.encrypt(keys.encryption, secret.encode(), context=f"totp:{user_id}")
    conn.execute(update(users).where(users.c.id == user_id).values(totp_secret_enc=blob, totp_last_step=None))
    return otp.provisioning_uri(secret, user_id)


def totp_secret(keys: Keyring, user_id: str, blob: bytes) -> str:
    return crypto.decrypt(keys.encryption, blob, context=f"totp:{user_id}").decode()


def link_account(conn: Connection, keys: Keyring, user_id: str, bank: str, number: str, name: str, *,
                  primary: bool = False) -> None:
    _require_user(conn, user_id)
    _require_bank(bank)
    values = account_numbers.account_values(keys, user_id, bank, number)
    # the database cannot see that two ciphertexts hold one number: only the accounts that
    # end alike are opened and compared
    alike = conn.execute(select(accounts).where(accounts.c.user_id == user_id, accounts.c.bank == bank,
                                                accounts.c.last4 == values["last4"])).all()
    if any(digits_only(account_numbers.account_number(keys, a)) == digits_only(number) for a in alike):
        raise EnrolmentError(f"that {bank} account ending {values['last4']} is already linked to {user_id!r}")
    if primary:
        conn.execute(update(accounts).where(accounts.c.user_id == user_id).values(is_primary=False))
    conn.execute(accounts.insert().values(user_id=user_id, bank=bank, name=name, is_primary=primary, **values))


def add_payee(conn: Connection, keys: Keyring, user_id: str, name: str, bank: str, number: str,
              aliases: list[str] | tuple[str, ...] = (), *, registered_at: dt.datetime | None = None,
              holder: str | None = None) -> None:
    """Registered now unless `registered_at` says otherwise: transfers to a payee are held
    for its first 72 hours (CONTRACT §8). `holder`: the account holder's name, which the
    payee's bank must confirm before each transfer (CONTRACT §10); sealed at rest."""
    _require_user(conn, user_id)
    _require_bank(bank)
    if holder is not None and not 1 <= len(holder.strip()) <= 100:
        raise EnrolmentError("a holder's name is 1 to 100 characters")
    sealed = holder_names.seal(keys, user_id, name, holder.strip()) if holder is not None else None
    conn.execute(payees.insert().values(user_id=user_id, name=name, bank=bank, registered_at=registered_at or _now(),
                                        aliases=json.dumps(list(aliases), ensure_ascii=False), holder_enc=sealed,
                                        **account_numbers.payee_values(keys, user_id, name, number)))


def register_device(conn: Connection, keys: Keyring, user_id: str, device_id: str,
                    secret: str | None = None, name: str = "") -> str:
    """Returns the device secret (shown once to whoever provisions the device)."""
    _require_user(conn, user_id)
    secret = secret or secrets.token_urlsafe(32)
    conn.execute(devices.insert().values(
        id=device_id, user_id=user_id, name=name, created_at=_now(),
        secret_enc=crypto.encrypt(keys.encryption, secret.encode(), context=f"device:{device_id}"),
    ))
    return secret


def revoke_device(conn: Connection, device_id: str) -> bool:
    return conn.execute(update(devices).where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                        .values(revoked_at=_now())).rowcount == 1


def set_hold(conn: Connection, user_id: str, minutes: int) -> None:
    """Hold every transfer of the user this many minutes (CONTRACT §8); 0 turns it off."""
    _require_user(conn, user_id)
    if not 0 <= minutes <= 7 * 24 * 60:
        raise EnrolmentError("a hold is 0 to 10080 minutes (a week)")
    conn.execute(update(users).where(users.c.id == user_id).values(hold_minutes=minutes))


def unlock(conn: Connection, user_id: str) -> None:
    _require_user(conn, user_id)
    conn.execute(update(users).where(users.c.id == user_id).values(pin_failures=0, locked_until=None))
