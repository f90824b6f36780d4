import hashlib
import hmac

from banking.auth import signing


def test_signature_matches_the_contract_formula():
    body = b'{"utterance": "hi"}'
    expected = hmac.new(b"demo-tv-secret", b"\n".join([
        b"POST", b"/v1/voice/turn", b"1700000000", b"n" * 16, hashlib.sha256(body).hexdigest().encode()
    ]), hashlib.sha256).hexdigest()
    assert signing.sign("demo-tv-secret", "POST", "/v1/voice/turn", "1700000000", "n" * 16, body) == expected


def test_empty_body_hashes_zero_bytes():
    assert signing.string_to_sign("GET", "/v1/transfers", "1", "n" * 16, b"").endswith(
        hashlib.sha256(b"").hexdigest().encode())


def test_header_shapes():
    assert signing.NONCE_RE.fullmatch("a" * 16) and not signing.NONCE_RE.fullmatch("a" * 15)
    assert not signing.NONCE_RE.fullmatch("a" * 65) and not signing.NONCE_RE.fullmatch("a" * 15 + "!")
    assert not signing.SIGNATURE_RE.fullmatch("A" * 64)
