"""Alexa's signing certificate chains: from the configured directory, from memory, or
downloaded with `requests` (timeout, size cap), and kept until the chain expires."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from pathlib import Path

import certifi
import requests
from cryptography import x509

FETCH_TIMEOUT_S = 2.0
MAX_CHAIN_BYTES = 64 * 1024
_MAX_CACHED = 64


class CertificateUnavailable(Exception):
    """The chain could not be had or read; the message says why, never the URL's bytes."""


def cache_file(directory: Path, url: str) -> Path:
    """Where an operator stores the chain of `url` (CONTRACT §7.2): lowercase hex SHA-256 of
    the URL exactly as the header carries it."""
    return directory / (hashlib.sha256(url.encode()).hexdigest() + ".pem")


@functools.lru_cache(maxsize=4)
def trust_roots(bundle: Path | None) -> tuple[x509.Certificate, ...]:
    path = bundle if bundle is not None else Path(certifi.where())
    return tuple(x509.load_pem_x509_certificates(path.read_bytes()))


class ChainCache:
    """Chains by URL until the earliest `not_valid_after` among them."""

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._chains: dict[str, tuple[list[x509.Certificate], dt.datetime]] = {}
        self._lock = threading.Lock()

    def chain(self, url: str, now: dt.datetime) -> list[x509.Certificate]:
        with self._lock:
            cached = self._chains.get(url)
        if cached is not None and cached[1] > now:
            return cached[0]
        chain = _parse(self._read(url))
        expires = min(cert.not_valid_after_utc for cert in chain)
        with self._lock:
            if len(self._chains) >= _MAX_CACHED:
                self._chains.clear()
            self._chains[url] = (chain, expires)
        return chain

    def _read(self, url: str) -> bytes:
        if self._directory is not None:
            stored = cache_file(self._directory, url)
            if stored.is_file():
                return stored.read_bytes()[:MAX_CHAIN_BYTES + 1]
        return _download(url)


def _download(url: str) -> bytes:
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT_S, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise CertificateUnavailable(f"the certificate URL answered {response.status_code}")
            body = b""
            for chunk in response.iter_content(8192):
                body += chunk
                if len(body) > MAX_CHAIN_BYTES:
                    raise CertificateUnavailable("the certificate chain is too large")
            return body
    except requests.RequestException as exc:
        raise CertificateUnavailable(f"the certificate chain could not be fetched ({type(exc).__name__})") from None


def _parse(data: bytes) -> list[x509.Certificate]:
    if len(data) > MAX_CHAIN_BYTES:
        raise CertificateUnavailable("the certificate chain is too large")
    try:
        chain = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise CertificateUnavailable("the certificate chain is not PEM") from None
    if not chain:
        raise CertificateUnavailable("the certificate chain is empty")
    return chain
