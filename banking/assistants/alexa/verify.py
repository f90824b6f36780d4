"""Amazon's rules for skills hosted as web services (CONTRACT §7.2), before anything else
is done with a request: the certificate URL, the chain, the signature over the raw body,
the timestamp and the skill's id. Each failure is one `Refused`, answered 400."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import posixpath
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from banking.assistants.alexa.certificates import CertificateUnavailable, ChainCache, trust_roots
from banking.assistants.alexa.envelope import Malformed, application_id, load, timestamp

SIGNING_NAME = "echo-api.amazon.com"
TIMESTAMP_TOLERANCE_S = 150
_MAX_SIGNATURE_CHARS = 2048
_MAX_URL_CHARS = 2048


class Refused(Exception):
    """A request that does not prove it is Alexa's, for this skill, now."""


def check_url(url: str) -> None:
    if len(url) > _MAX_URL_CHARS:
        raise Refused("SignatureCertChainUrl is too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("SignatureCertChainUrl is not a URL") from None
    if parts.scheme.lower() != "https":
        raise Refused("SignatureCertChainUrl is not https")
    if (parts.hostname or "").lower() != "s3.amazonaws.com":
        raise Refused("SignatureCertChainUrl is not on s3.amazonaws.com")
    if port is not None and port != 443:
        raise Refused("SignatureCertChainUrl names a port other than 443")
    path = parts.path
    if not path.startswith("/") or not posixpath.normpath(path).startswith("/echo.api/"):
        raise Refused("SignatureCertChainUrl's path does not start with /echo.api/")


@dataclass(frozen=True)
class _Signer:
    key: rsa.RSAPublicKey
    expires: dt.datetime


class Verifier:
    """One per process: chains are fetched once and verified once per URL, until they expire."""

    def __init__(self, skill_id: str | None, roots: Path | None, cache_dir: Path | None) -> None:
        self._skill_id = skill_id
        self._roots = roots
        self._chains = ChainCache(cache_dir)
        self._signers: dict[str, _Signer] = {}
        self._lock = threading.Lock()

    def verify(self, headers: Any, body: bytes, now: dt.datetime) -> dict[str, Any]:
        """The envelope, once every rule holds; raises `Refused` otherwise."""
        if not self._skill_id:
            raise Refused("this service has no Alexa skill id configured")
        url = headers.get("SignatureCertChainUrl", "")
        check_url(url)
        key = self._signer(url, now)
        signature = headers.get("Signature-256", "")
        if not signature or len(signature) > _MAX_SIGNATURE_CHARS:
            raise Refused("Signature-256 is missing")
        try:
            key.verify(base64.b64decode(signature, validate=True), body, padding.PKCS1v15(), hashes.SHA256())
        except (binascii.Error, ValueError, InvalidSignature):
            raise Refused("Signature-256 does not match the body") from None
        try:
            envelope = load(body)
            at = timestamp(envelope)
            application = application_id(envelope)
        except Malformed as exc:
            raise Refused(str(exc)) from None
        if abs((now - at).total_seconds()) > TIMESTAMP_TOLERANCE_S:
            raise Refused("the request timestamp is not within 150 seconds of now")
        if application != self._skill_id:
            raise Refused("the request is for another skill")
        return envelope

    def _signer(self, url: str, now: dt.datetime) -> rsa.RSAPublicKey:
        with self._lock:
            known = self._signers.get(url)
        if known is not None and known.expires > now:
            return known.key
        try:
            chain = self._chains.chain(url, now)
        except CertificateUnavailable as exc:
            raise Refused(str(exc)) from None
        leaf = chain[0]
        verifier = (PolicyBuilder().store(Store(list(trust_roots(self._roots)))).time(now)
                    .build_server_verifier(x509.DNSName(SIGNING_NAME)))
        try:
            verifier.verify(leaf, chain[1:])
        except (VerificationError, ValueError) as exc:
            raise Refused(f"the certificate chain does not hold ({_reason(exc)})") from None
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Refused("the signing certificate's key is not RSA")
        with self._lock:
            if len(self._signers) >= 64:
                self._signers.clear()
            self._signers[url] = _Signer(key, min(c.not_valid_after_utc for c in chain))
        return key


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
