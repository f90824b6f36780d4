"""No 500, ever, on either database (CONTRACT §4.4, second revision): hostile bytes in every
header, path and query value of every route family, deep JSON, huge numbers, overflowing
cursors, oversized header lines and chunked bodies, sent over raw sockets to the server
`python app.py` builds (`app.make_wsgi_server`) and, for what servers parse themselves, to
gunicorn with `gunicorn.conf.py`. Every answer is below 500 and, when an error, the JSON
envelope; a server may instead refuse the connection. No request writes an error log line.
Each test reports how many cases it sent per database."""
from __future__ import annotations

import base64
import collections
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote

import pytest
import requests

from adapters.probe import wait_until_up
from app import make_wsgi_server
from banking.auth.signing import signed_headers
from banking.demo.seed import DEMO_AUDITOR_TOKEN, DEMO_DEVICE, DEMO_DEVICE_SECRET
from tests.support import nonce

ROOT = Path(__file__).resolve().parents[2]
TURN = "/v1/voice/turn"
TURN_BODY = json.dumps({"utterance": "도움말"}).encode()
#: (method, path, credentials, body) for every route family
ROUTES = [
    ("POST", TURN, "device", TURN_BODY),
    ("GET", "/v1/transfers", "device", b""),
    ("GET", "/v1/transfers/tr_" + "0" * 32, "device", b""),
    ("GET", "/v1/notices", "device", b""),
    ("GET", "/v1/audit/events", "auditor", b""),
    ("GET", "/v1/audit/events/1", "auditor", b""),
    ("GET", "/v1/audit/verify", "auditor", b""),
    ("GET", "/v1/audit/export", "auditor", b""),
    ("GET", "/v1/audit/checkpoints", "auditor", b""),
    ("POST", "/console/api/turn", "console", TURN_BODY),
    ("GET", "/healthz", "none", b""),
    ("GET", "/readyz", "none", b""),
    ("GET", "/metrics", "none", b""),
    ("GET", "/docs", "none", b""),
    ("POST", "/v1/assistants/alexa", "none", b'{"version": "1.0", "request": {"type": "LaunchRequest"}}'),
    ("POST", "/v1/assistants/nugu/balance", "nugu", b'{"version": "2.0", "context": {}}'),
]
#: the NUGU backend proxy's token the served app is given (CONTRACT §7.3)
NUGU_TOKEN = "hostile-input-nugu-token"
HEADERS = ("X-Device-Id", "X-Timestamp", "X-Nonce", "X-Signature", "X-Request-Id", "Authorization",
           "Content-Type", "Origin")
#: NUL, DEL, a C1 control (NEL) and a byte that is not UTF-8
BAD_BYTES = (b"\x00", b"\x7f", b"\x85", b"\xff")

_COUNTS: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(port: int, request: bytes) -> Answer | None:
    """One request on its own connection; None when the server refused or reset it unanswered."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(request)
        except OSError:
            pass  # a server may stop reading what it already refused: its answer may still be there
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    if not received:
        return None
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Answer(int(status_line.split()[1]), headers, body)


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + rest[:size], rest[size + 2:]
    return out


def assert_served(answer: Answer | None, case: str) -> None:
    """Below 500; an error is the envelope `{"error": {"code", "message", "fields"}}`."""
    if answer is None:
        return  # refused: allowed by the contract
    assert answer.status < 500, (case, answer.status, answer.body[:300])
    if answer.status >= 400:
        assert answer.headers.get("content-type", "").startswith("application/json"), (case, answer)
        error = json.loads(answer.body)["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), (case, error)
        assert set(error) == {"code", "message", "fields"}, (case, error)


def request_bytes(method: str, path: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b"",
                  *, chunked: bool = False) -> bytes:
    lines = [method.encode() + b" " + path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
        body = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 4096]), body[i:i + 4096])
                        for i in range(0, len(body), 4096)) + b"0\r\n\r\n"
    elif body or method == "POST":
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def credentials(kind: str, method: str, path: str, body: bytes) -> dict[str, str]:
    if kind == "device":
        # signed over the path as the server decodes it, so only the hostile part can fail
        return signed_headers(DEMO_DEVICE, DEMO_DEVICE_SECRET, method, unquote(path.split("?")[0]), body,
                              now=time.time(), nonce=nonce())
    if kind == "auditor":
        return {"Authorization": f"Bearer {DEMO_AUDITOR_TOKEN}"}
    if kind == "console":
        return {"Content-Type": "application/json"}
    if kind == "nugu":
        return {"Authorization": f"token {NUGU_TOKEN}", "Content-Type": "application/json"}
    return {}


def with_bad_byte(headers: dict[str, str], name: str, byte: bytes) -> list[tuple[bytes, bytes]]:
    """The headers as bytes, `byte` in the middle of `name`'s value (added if absent)."""
    value = headers.get(name, "x" * 16).encode("latin-1")
    middle = len(value) // 2
    spoiled = {**{k: v.encode("latin-1") for k, v in headers.items()}, name: value[:middle] + byte + value[middle:]}
    return [(k.encode(), v) for k, v in spoiled.items()]


def database_kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        for kind, counts in sorted(_COUNTS.items()):
            reporter.write_line(f"hostile input on {kind}: {sum(counts.values())} requests "
                                f"({', '.join(f'{k} {n}' for k, n in sorted(counts.items()))})")


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(str(record.msg)[:300])


@pytest.fixture(autouse=True)
def no_error_lines() -> Iterator[None]:
    """An answer below 500 could still hide an exception logged on the way (and every such line
    is a line an attacker can make the service write): none may be logged."""
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    yield
    logging.getLogger().removeHandler(handler)
    assert handler.lines == []


@pytest.fixture
def served(live_app_factory: Any, memory_partners: Any, database_url: str) -> Iterator[tuple[Any, int, str]]:
    """The seeded service behind `make_wsgi_server`; no per-device rate limit (the suite sends
    hundreds of signed requests)."""
    app, _url = live_app_factory(partners=memory_partners, device_requests_per_minute=10**9, nugu_token=NUGU_TOKEN)
    server = make_wsgi_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, server.server_port, database_kind(database_url)
    server.shutdown()
    thread.join(5)


def test_bad_bytes_in_every_header_path_and_query(served: tuple[Any, int, str]) -> None:
    _app, port, kind = served
    for method, path, creds, body in ROUTES:
        for byte in BAD_BYTES:
            for name in HEADERS:
                headers = credentials(creds, method, path, body)
                answer = exchange(port, request_bytes(method, path.encode(), with_bad_byte(headers, name, byte), body))
                assert_served(answer, f"{method} {path} {name} {byte!r}")
                if name in ("X-Device-Id", "X-Timestamp", "X-Nonce", "X-Signature") and creds == "device":
                    # a spoiled device header is a bad signature, never a database error
                    assert answer is not None and answer.status == 401, (path, name, byte, answer)
            middle = len(path) // 2
            for spoiled_path in (path.encode()[:middle] + byte + path.encode()[middle:],
                                 path.encode() + b"/" + byte, path.encode() + b"%" + byte.hex().encode(),
                                 path.encode() + b"?limit=" + byte + b"&cursor=" + byte + b"&device_id=%"
                                 + byte.hex().encode()):
                headers = credentials(creds, method, spoiled_path.decode("latin-1"), body)
                answer = exchange(port, request_bytes(method, spoiled_path,
                                                      [(k.encode(), v.encode("latin-1")) for k, v in headers.items()], body))
                assert_served(answer, f"{method} {spoiled_path!r}")
            _COUNTS[kind]["bytes"] += len(HEADERS) + 4


BIG = "9" * 5000
#: (body, status on /v1/voice/turn): 400 for what the bounded parser refuses, 422 for what the
#: schema does, 200 for brackets inside text (nesting counts structure, not characters)
BODIES = [
    (b"[" * 10_000 + b"]" * 10_000, 400),
    (b"{\"a\":" * 10_000 + b"1" + b"}" * 10_000, 400),
    (b'{"utterance": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", 400),
    (b"[" * 10_000, 400),
    (f'{{"utterance": "hi", "session_id": {BIG}}}'.encode(), 400),
    (f'{{"utterance": -{BIG}}}'.encode(), 400),
    (f'{{"utterance": "hi", "x": {2**63}}}'.encode(), 400),
    (f'{{"utterance": "hi", "x": {-(2**63) - 1}}}'.encode(), 400),
    (b'{"utterance": "hi", "x": 1e999}', 400),
    (b'{"utterance": NaN}', 400),
    (b'{"utterance": -Infinity}', 400),
    (f'{{"utterance": {2**63 - 1}}}'.encode(), 422),
    (f'{{"utterance": 1.{BIG}}}'.encode(), 422),
    (f'{{"utterance": "{BIG}"}}'.encode(), 422),
    (json.dumps({"utterance": "[" * 100 + "{" * 100}).encode(), 200),
    (b"", 422),
    (b"\xff\xfe", 400),
]


def test_deep_json_and_huge_numbers(served: tuple[Any, int, str]) -> None:
    _app, port, kind = served
    auditor = [(b"Authorization", f"Bearer {DEMO_AUDITOR_TOKEN}".encode()), (b"Content-Type", b"application/json")]
    for body, status in BODIES:
        signed = credentials("device", "POST", TURN, body)
        answer = exchange(port, request_bytes("POST", TURN.encode(), [(k.encode(), v.encode()) for k, v in signed.items()], body))
        assert_served(answer, f"turn {body[:40]!r}")
        assert answer is not None and answer.status == status, (body[:40], answer)
        answer = exchange(port, request_bytes("POST", b"/console/api/turn", [(b"Content-Type", b"application/json")], body))
        assert_served(answer, f"console {body[:40]!r}")
        assert answer is not None and answer.status == status, (body[:40], answer)
        assert_served(exchange(port, request_bytes("POST", b"/v1/audit/verify", auditor, body)), f"verify {body[:40]!r}")
        # the assistants' endpoints (CONTRACT §7): an unsigned Alexa body is refused before it is
        # read; NUGU's, behind its token, is read by the same bounded parser
        answer = exchange(port, request_bytes("POST", b"/v1/assistants/alexa", [(b"Content-Type", b"application/json")], body))
        assert_served(answer, f"alexa {body[:40]!r}")
        assert answer is not None and answer.status == 400, (body[:40], answer)
        nugu = [(k.encode(), v.encode()) for k, v in credentials("nugu", "POST", "", body).items()]
        answer = exchange(port, request_bytes("POST", b"/v1/assistants/nugu/transfer", nugu, body))
        assert_served(answer, f"nugu {body[:40]!r}")
        assert answer is not None and answer.status == 400, (body[:40], answer)
        _COUNTS[kind]["json"] += 5


QUERIES = [
    ("device", f"/v1/transfers?limit={BIG}"), ("device", f"/v1/transfers?limit=-{BIG}"),
    ("device", "/v1/transfers?limit=1e999"), ("device", "/v1/transfers?limit=NaN"),
    ("device", f"/v1/transfers/{BIG}"), ("device", "/v1/transfers/tr_%00"),
    ("device", f"/v1/notices?after={BIG}"), ("device", "/v1/notices?after=-1"), ("device", "/v1/notices?wait=1e999"),
    ("device", "/v1/notices?wait=NaN"), ("device", "/v1/notices?wait=26"), ("device", "/v1/notices?after=%00%ff"),
    ("auditor", f"/v1/audit/events?limit={BIG}"), ("auditor", f"/v1/audit/events/{BIG}"),
    ("auditor", f"/v1/audit/events/{2**63}"), ("auditor", "/v1/audit/events/-1"),
    ("auditor", f"/v1/audit/checkpoints?limit={BIG}"),
    ("auditor", "/v1/audit/events?cursor=" + base64.urlsafe_b64encode(f"v1:1:{10**30}".encode()).decode()),
    ("auditor", "/v1/audit/events?cursor=" + base64.urlsafe_b64encode(f"v1:{2**64}:{2**64}".encode()).decode()),
    ("auditor", "/v1/audit/events?cursor=" + base64.urlsafe_b64encode(f"v1:0:{BIG}".encode()).decode()),
    ("auditor", "/v1/audit/events?cursor=%00%ff"),
]


def test_out_of_range_query_values_and_cursors(served: tuple[Any, int, str]) -> None:
    _app, port, kind = served
    for creds, path in QUERIES:
        headers = credentials(creds, "GET", path, b"")
        answer = exchange(port, request_bytes("GET", path.encode(), [(k.encode(), v.encode()) for k, v in headers.items()]))
        assert_served(answer, path[:80])
        assert answer is not None and answer.status in (404, 422), (path[:80], answer)
        _COUNTS[kind]["queries"] += 1


def oversized_requests() -> list[tuple[str, bytes]]:
    return [
        ("header line over 64 KiB", request_bytes("GET", b"/healthz", [(b"X-Long", b"a" * 70_000)])),
        ("device header over 64 KiB", request_bytes("GET", b"/v1/transfers", [(b"X-Device-Id", b"a" * 70_000)])),
        ("request line over 64 KiB", request_bytes("GET", b"/healthz?q=" + b"a" * 70_000, [])),
        ("200 headers", request_bytes("GET", b"/healthz", [(b"X-H%d" % i, b"a") for i in range(200)])),
        ("not HTTP", b"\x00\x01\x02\xff / HTTP/1.1\r\n\r\n"),
        ("HTTP/9.9", b"GET /healthz HTTP/9.9\r\n\r\n"),
        ("bad Content-Length", request_bytes("POST", TURN.encode(), [(b"Content-Length", b"abc")])),
    ]


def test_oversized_and_malformed_requests_get_the_envelope(served: tuple[Any, int, str]) -> None:
    _app, port, kind = served
    for case, raw in oversized_requests():
        answer = exchange(port, raw)
        assert_served(answer, case)
        _COUNTS[kind]["oversized"] += 1
    # not only refused: the handler answers a too-long header line itself
    answer = exchange(port, oversized_requests()[0][1])
    assert answer is None or (answer.status == 431 and json.loads(answer.body)["error"]["code"] == "header_fields_too_large")


def _chunked_turn(port: int, body: bytes, *, sign_as: bytes | None = None, path: str = TURN) -> Answer | None:
    headers = credentials("device", "POST", path, body if sign_as is None else sign_as)
    return exchange(port, request_bytes("POST", path.encode(), [(k.encode(), v.encode()) for k, v in headers.items()],
                                        body, chunked=True))


def test_chunked_bodies_are_held_to_the_limit_before_the_signature(served: tuple[Any, int, str]) -> None:
    _app, port, kind = served
    big = json.dumps({"utterance": "x" * 70_000}).encode()
    cases = [
        (_chunked_turn(port, big), 413),                               # signed right: still too large
        (_chunked_turn(port, big, sign_as=b"other"), 413),             # 413 comes before 401
        (_chunked_turn(port, TURN_BODY), 200),                         # counted, not cut: it verifies
        (_chunked_turn(port, TURN_BODY, sign_as=b"other"), 401),
        (_chunked_turn(port, b"[" * 10_000 + b"]" * 10_000), 400),
        (exchange(port, request_bytes("POST", b"/console/api/turn", [(b"Content-Type", b"application/json")],
                                      big, chunked=True)), 413),
        (exchange(port, request_bytes("POST", b"/healthz", [], big, chunked=True)), 413),
    ]
    broken = request_bytes("POST", TURN.encode(), [(b"Content-Type", b"application/json")], chunked=True)
    cases.append((exchange(port, broken.replace(b"0\r\n\r\n", b"zz\r\nabc\r\n")), 400))
    for number, (answer, status) in enumerate(cases):
        assert_served(answer, f"chunked case {number}")
        assert answer is not None and answer.status == status, (number, answer)
    _COUNTS[kind]["chunked"] += len(cases)


@pytest.fixture
def gunicorn_port(app: Any, database_url: str, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """gunicorn with `gunicorn.conf.py` (one worker) on the database and keys the `app` fixture seeded."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "metrics").mkdir()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": database_url, "COUCHBANK_DATA_DIR": str(tmp_path),
           "COUCHBANK_BACKGROUND": "0", "WEB_CONCURRENCY": "1", "COUCHBANK_THREADS": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                    "-b", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", timeout_s=60, process=process)
        yield port, log
    finally:
        process.terminate()
        process.wait(30)


def test_gunicorn_answers_what_it_parses_itself_with_the_envelope(gunicorn_port: tuple[int, Path],
                                                                  database_url: str) -> None:
    port, log = gunicorn_port
    cases = oversized_requests()
    for byte in BAD_BYTES:
        headers = credentials("device", "POST", TURN, TURN_BODY)
        cases.append((f"device id {byte!r}", request_bytes("POST", TURN.encode(), with_bad_byte(headers, "X-Device-Id", byte), TURN_BODY)))
        cases.append((f"path {byte!r}", request_bytes("GET", b"/v1/transfers/tr_" + byte, [])))
    big = json.dumps({"utterance": "x" * 70_000}).encode()
    for body in (big, b"[" * 10_000 + b"]" * 10_000, f'{{"utterance": {BIG}}}'.encode()):
        headers = credentials("device", "POST", TURN, body)
        encoded = [(k.encode(), v.encode()) for k, v in headers.items()]
        cases.append(("chunked", request_bytes("POST", TURN.encode(), encoded, body, chunked=True)))
        cases.append(("sized", request_bytes("POST", TURN.encode(), encoded, body)))
    statuses = set()
    for case, raw in cases:
        answer = exchange(port, raw)
        assert_served(answer, f"gunicorn {case}")
        statuses.add(answer.status if answer else None)
    _COUNTS[database_kind(database_url)]["gunicorn"] += len(cases)
    # gunicorn's own refusals were answered, not only the app's
    assert {400, 414, 431} <= statuses, statuses
    assert {400, 413} <= statuses
    assert "unhandled_exception" not in log.read_text(errors="replace")
    assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200  # still serving
