"""Voice PINs: keyed hashing and the weak-PIN rule (NIST 800-63B 5.1.1.2: a short secret
is protected by a secret pepper, not by a slow hash)."""
from __future__ import annotations

from banking.platform.security import crypto

PIN_LENGTHS = (4, 5, 6)
#: widely used PINs that a stranger would try first
COMMON = frozenset({"1004", "1212", "2580", "0852", "1122", "6969", "4321", "1313", "0123", "123123"})


def hash_pin(pepper: bytes, user_id: str, pin: str) -> str:
    return crypto.keyed_hash(pepper, "pin", user_id, pin)


def matches(pepper: bytes, user_id: str, pin: str, stored: str | None) -> bool:
    # hash even without a stored PIN so timing does not tell whether one is set
    return crypto.same(hash_pin(pepper, user_id, pin), stored or "0" * 64) and stored is not None


def weakness(pin: str) -> str | None:
    """Why a PIN is refused at enrolment, or None."""
    if not pin.isascii() or not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        return "a PIN is 4 to 6 digits"
    if len(set(pin)) == 1:
        return "all digits are the same"
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if steps in ({1}, {-1}):
        return "the digits run straight up or down"
    if pin in COMMON:
        return "it is one of the most common PINs"
    return None
