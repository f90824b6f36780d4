import pytest

from banking.auth import otp, pin
from banking.auth.otp import _TOTP


@pytest.mark.parametrize("weak", ["0000", "1111", "1234", "4321", "2345", "9876", "123456", "1004"])
def test_weakest_pins_are_refused(weak):
    assert pin.weakness(weak)


@pytest.mark.parametrize("fine", ["4826", "7391", "052817"])
def test_ordinary_pins_are_accepted(fine):
    assert pin.weakness(fine) is None


@pytest.mark.parametrize("bad", ["12", "1234567", "12a4", "٤٨٢٦"])
def test_pins_are_4_to_6_ascii_digits(bad):
    assert pin.weakness(bad)


def test_pin_hash_is_keyed_and_per_user():
    a = pin.hash_pin(b"p" * 32, "demo", "4826")
    assert a != pin.hash_pin(b"q" * 32, "demo", "4826")
    assert a != pin.hash_pin(b"p" * 32, "other", "4826")
    assert pin.matches(b"p" * 32, "demo", "4826", a)
    assert not pin.matches(b"p" * 32, "demo", "4827", a)
    assert not pin.matches(b"p" * 32, "demo", "4826", None)


# RFC 6238 Appendix B, SHA-1, 8 digits, seed "12345678901234567890"
RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
               (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]


@pytest.mark.parametrize("at,code", RFC_VECTORS)
def test_rfc6238_appendix_b_vectors(at, code):
    assert _TOTP(RFC_SEED, digits=8).at(at) == code


def test_code_accepted_within_one_step_and_only_once():
    seed = otp.new_secret()
    now = 1_700_000_000
    totp = _TOTP(seed)
    step = now // 30
    assert otp.matching_step(seed, totp.at(now), now, None) == step
    assert otp.matching_step(seed, totp.at(now - 30), now, None) == step - 1
    assert otp.matching_step(seed, totp.at(now + 30), now, None) == step + 1
    assert otp.matching_step(seed, totp.at(now - 60), now, None) is None  # two steps old
    # single use: nothing at or before the last accepted step
    assert otp.matching_step(seed, totp.at(now), now, last_step=step) is None
    assert otp.matching_step(seed, totp.at(now - 30), now, last_step=step) is None


@pytest.mark.parametrize("junk", ["", "12345", "1234567", "abcdef", "１２３４５６"])
def test_malformed_codes_never_match(junk):
    assert otp.matching_step(otp.new_secret(), junk, 1_700_000_000, None) is None


def test_demo_seed_is_usable_and_new_seeds_are_160_bits():
    assert len(_TOTP("JBSWY3DPEHPK3PXP").now()) == 6
    assert len(otp.new_secret()) == 32
