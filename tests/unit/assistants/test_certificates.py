"""Fetching Alexa's certificate chain: `requests` with a timeout and a size cap, from a
local HTTP server standing in for S3."""
from __future__ import annotations

import datetime as dt
import http.server
import threading
from typing import Iterator

import pytest

from banking.assistants.alexa import certificates
from banking.assistants.alexa.certificates import CertificateUnavailable


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = {"/ok.pem": b"-----BEGIN CERTIFICATE-----\n", "/big.pem": b"A" * (certificates.MAX_CHAIN_BYTES + 10)}
        if self.path not in body:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body[self.path])))
        self.end_headers()
        self.wfile.write(body[self.path])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_download(server):
    assert certificates._download(server + "/ok.pem").startswith(b"-----BEGIN")


def test_size_cap(server):
    with pytest.raises(CertificateUnavailable, match="too large"):
        certificates._download(server + "/big.pem")


def test_not_found(server):
    with pytest.raises(CertificateUnavailable, match="404"):
        certificates._download(server + "/missing.pem")


def test_unreachable():
    with pytest.raises(CertificateUnavailable):
        certificates._download("http://127.0.0.1:9/x.pem")


def test_not_pem_is_refused(tmp_path):
    url = "https://s3.amazonaws.com/echo.api/x.pem"
    certificates.cache_file(tmp_path, url).write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64\n")
    with pytest.raises(CertificateUnavailable):
        certificates.ChainCache(tmp_path).chain(url, dt.datetime.now(dt.UTC))
