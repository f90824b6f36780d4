"""TOTP step-up (RFC 6238, pyotp): 30 s steps, at most one step of drift either way, and
single use: a code is accepted only for a time step newer than the last accepted one
(pyotp's own verify is stateless and would accept a code twice)."""
from __future__ import annotations

import base64
import hmac

import pyotp

STEP_S = 30
DRIFT_STEPS = 1
MIN_SECRET_BYTES = 10


class _TOTP(pyotp.TOTP):
    """pyotp refuses seeds under 112 bits; the contract's demo seed (JBSWY3DPEHPK3PXP) is
    80 bits, as many authenticator examples are. New enrolments get 160-bit seeds."""

    def byte_secret(self) -> bytes:
        secret = self.secret + "=" * (-len(self.secret) % 8)
        decoded = base64.b32decode(secret, casefold=True)
        if len(decoded) < MIN_SECRET_BYTES:
            raise ValueError("TOTP seed too short")
        return decoded


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters = 160 bits from `secrets`


def provisioning_uri(secret: str, account: str, issuer: str = "couchbank") -> str:
    return _TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def matching_step(secret: str, code: str, now: float, last_step: int | None) -> int | None:
    """The time step whose code equals `code`, within the drift window and newer than
    `last_step`; None when there is none."""
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = _TOTP(secret, interval=STEP_S)
    current = int(now) // STEP_S
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # compare every candidate so timing says nothing about which one matched
        if hmac.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            found = step
    return found
