"""Several real couchbank service processes on one fresh PostgreSQL database, as production
runs them: one gunicorn instance (two workers, `gunicorn.conf.py`) and one
`python app.py --no-sandboxes`, sharing the master key and the partner credentials through
the environment (each process has its own data directory, so nothing is shared by file),
in front of every installed partner's sandbox.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from adapters import registry
from adapters.credentials import credential_fields, partner_credentials
from adapters.sandbox.testing import SandboxUrls, clear_faults, free_port, ledger, running_sandboxes, wait_for
from banking.audit.trail import GENESIS, AuditTrail
from banking.platform.security.keys import Keyring
from tests.support import Device, fresh_pg_database, http_transport

ROOT = Path(__file__).resolve().parents[2]
PIN = "4826"
WOORI_SOURCE = "1002-345-678901"


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Cluster:
    root: Path
    database_url: str
    master_key: str
    sandboxes: SandboxUrls
    env: dict[str, str]
    servers: list[Server] = field(default_factory=list)
    _engine: Engine | None = None
    #: what existed when the current test began (see `begin_test`)
    _seen_seq: int = 0
    _seen_transfers: frozenset[str] = frozenset()
    _seen_postings: dict[str, int] = field(default_factory=dict)

    def device(self, server: int) -> Device:
        """The demo TV, talking to server `server` (modulo the number of servers)."""
        return Device(http_transport(self.servers[server % len(self.servers)].url))

    def flask(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`flask --app app ARGS` with the services' environment."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                              env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=120)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.database_url, poolclass=NullPool)
        return self._engine

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def begin_test(self) -> None:
        """Give the next test a fresh day for the demo user on the shared cluster: no limit
        used, no failed PINs or lock, no recent nonces (the per-device rate limit counts
        them), no faults, nothing in flight; and remember what exists, so that tests see
        only their own transfers, events and postings."""
        for _, url in self.sandboxes.items():
            clear_faults(url)
        settled = wait_for(lambda: not self.scalar("SELECT count(*) FROM transfers WHERE status = 'pending'"), 30)
        assert settled, "a transfer of an earlier test is still pending"
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM daily_usage"))
            conn.execute(text("DELETE FROM nonces"))
            conn.execute(text("UPDATE users SET pin_failures = 0, locked_until = NULL"))
        self._seen_seq = self.scalar("SELECT coalesce(max(seq), 0) FROM audit_events")
        self._seen_transfers = frozenset(r.id for r in self.rows("SELECT id FROM transfers"))
        self._seen_postings = {bank: len(ledger(self.sandboxes[bank])) for bank in self.sandboxes}

    def transfers(self) -> list[Any]:
        """This test's transfers."""
        return [r for r in self.rows("SELECT * FROM transfers ORDER BY created_at")
                if r.id not in self._seen_transfers]

    def events(self, type_: str) -> list[Any]:
        """This test's audit events of one type."""
        return self.rows("SELECT * FROM audit_events WHERE seq > :seen AND type = :type ORDER BY seq",
                         seen=self._seen_seq, type=type_)

    def postings(self, bank: str) -> list[dict[str, Any]]:
        """This test's postings at `bank`."""
        return ledger(self.sandboxes[bank])[self._seen_postings.get(bank, 0):]

    def woori_debits(self, account: str = WOORI_SOURCE) -> list[dict[str, Any]]:
        return [p for p in self.postings("woori") if p["account"] == account and p["amount"] < 0]

    def assert_chain_verifies(self, database_url: str | None = None) -> None:
        """`flask --app app audit verify` exits 0 on the database (this cluster's by default);
        and, independently of that command, AuditTrail.check passes over every row."""
        url = database_url or self.database_url
        verified = self.flask("audit", "verify", env={"DATABASE_URL": url})
        assert verified.returncode == 0, verified.stdout + verified.stderr
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                rows = [r._mapping for r in conn.execute(text("SELECT * FROM audit_events ORDER BY seq"))]
        finally:
            engine.dispose()
        trail = AuditTrail(Keyring(bytes.fromhex(self.master_key)).audit_chain)
        checked = list(trail.check(rows, 0, GENESIS))
        assert len(checked) == len(rows) and all(ok for _, ok in checked), checked[-1:]

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n" + s.log.read_text(errors="replace")[-4000:] for s in self.servers)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on their own threads, released together by a barrier; their results in
    order (an exception is returned in place of its result)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # surfaced by the caller's assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def assert_answered(replies: list[Any]) -> None:
    """Every racing request was answered 200 (an error answer or a dropped request shows)."""
    failures = [r for r in replies if not isinstance(r, dict)]
    assert not failures, f"{len(failures)} of {len(replies)} racing requests failed: {failures}"


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def stop_servers(servers: list[Server]) -> None:
    """SIGTERM all at once (both commands stop gracefully on it), then wait."""
    for server in servers:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(25)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def service_env(root: Path, database_url: str, master_key: str, sandboxes: SandboxUrls) -> dict[str, str]:
    """What every service process gets: the database, the master key and the partners, all
    through the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUCHBANK_", "PROMETHEUS_"))}
    env.update({
        "DATABASE_URL": database_url,
        "COUCHBANK_MASTER_KEY": master_key,
        **sandboxes.env(),
        "COUCHBANK_ADAPTER_TIMEOUT_S": "2",
        "COUCHBANK_DATA_DIR": str(root / "cli"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    # the partner credentials the sandboxes made, handed over as a secrets manager would
    for bank in sandboxes:
        fields = registry.available()[bank].bank.credentials
        creds = partner_credentials(bank, root / "sandboxes", fields)
        env.update({var: creds[name] for name, var in credential_fields(bank, fields).items()})
    return env


def start_server(kind: str, env: dict[str, str], root: Path, *, workers: int = 2,
                 port: int | None = None) -> Server:
    """`kind` is "gunicorn" (the production command) or "app" (`python app.py --no-sandboxes`)."""
    port = port or free_port()
    name = f"{kind}-{port}"
    data_dir = root / name  # never shared: keys and credentials come from the environment
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**env, "COUCHBANK_DATA_DIR": str(data_dir)}
    if kind == "gunicorn":
        env.update({"WEB_CONCURRENCY": str(workers), "COUCHBANK_THREADS": "8",
                    "PROMETHEUS_MULTIPROC_DIR": str(data_dir / "metrics")})
        (data_dir / "metrics").mkdir(exist_ok=True)
        argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                "-b", f"127.0.0.1:{port}"]
    else:
        argv = [sys.executable, "app.py", "--no-sandboxes", "--port", str(port), "--data-dir", str(data_dir)]
    log = root / f"{name}.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, f"http://127.0.0.1:{port}", process, log)


def wait_ready(server: Server, timeout_s: float = 60.0) -> None:
    if not wait_for(lambda: server.process.poll() is not None or _healthy(server.url), timeout_s, 0.1) \
            or server.process.poll() is not None:
        raise RuntimeError(f"{server.name} did not start:\n{server.log.read_text(errors='replace')[-4000:]}")


@contextmanager
def running_cluster(root: Path, kinds: tuple[str, ...] = ("gunicorn", "app"),
                    seed: bool = True) -> Iterator[Cluster]:
    """Fresh database, fresh sandboxes, the demo household seeded once, then the servers."""
    with ExitStack() as stack:
        (root / "sandboxes").mkdir(parents=True, exist_ok=True)
        urls = stack.enter_context(running_sandboxes(root / "sandboxes"))
        database_url, drop = fresh_pg_database()
        stack.callback(drop)
        master_key = secrets.token_hex(32)
        cluster = Cluster(root, database_url, master_key, urls, service_env(root, database_url, master_key, urls))
        stack.callback(lambda: cluster._engine and cluster._engine.dispose())
        if seed:
            seeded = cluster.flask("seed-demo")
            assert seeded.returncode == 0, seeded.stderr
        stack.callback(stop_servers, cluster.servers)
        for kind in kinds:
            cluster.servers.append(start_server(kind, cluster.env, root))
        for server in cluster.servers:
            wait_ready(server)
        yield cluster
