"""gunicorn settings for couchbank in production (see docs/operations.md).

    gunicorn -c gunicorn.conf.py                      # serves app:create_app()
    gunicorn -c gunicorn.conf.py -b 0.0.0.0:8000 'app:create_app()'

Every worker is a full service process: it builds the app after the fork (never in the
master: database pools, the partner read and send pools and the background workers must not be
inherited across a fork), migrates (once across processes: an advisory lock), and runs its
own reconciler and housekeeping, all of which coordinate through the database. Configuration comes from the same environment as
`python app.py` (DATABASE_URL, COUCHBANK_MASTER_KEY, partner URLs and credentials), plus:

    COUCHBANK_BIND          address to listen on (default 127.0.0.1:8000; `-b` overrides)
    WEB_CONCURRENCY         worker processes (default: one per core, at least 2)
    COUCHBANK_THREADS       threads per worker (default 8: a turn may wait ~7 s on a bank)
    COUCHBANK_WORKER_TIMEOUT   seconds before a silent worker is killed (default 30)
    PROMETHEUS_MULTIPROC_DIR   where workers keep their metrics (default: a fresh temp dir)
"""
from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent

# Multiprocess metrics: the directory must be known before prometheus_client is imported
# anywhere, and inherited by every worker; a stale file from an earlier run is wiped.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="couchbank-metrics-")

wsgi_app = "app:create_app()"
pythonpath = str(ROOT)  # app.py lives at the project root
bind = [os.environ.get("COUCHBANK_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("COUCHBANK_THREADS", "8"))
# never load the app in the master: pools, threads and locks are made per worker
preload_app = False
# a voice turn answers within 8 s whatever a bank does; a worker silent for this long is stuck
timeout = int(os.environ.get("COUCHBANK_WORKER_TIMEOUT", "30"))
# on SIGTERM let in-flight turns finish (each is bounded by the 8 s turn budget)
graceful_timeout = 20
keepalive = 5
# the app writes structured JSON logs of every request; gunicorn's access log would duplicate them
accesslog = None
errorlog = "-"
loglevel = os.environ.get("COUCHBANK_LOG_LEVEL", "info")
# a recycled worker gets a fresh pool; jitter keeps them from restarting together
max_requests = int(os.environ.get("COUCHBANK_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# forwarded headers only from the local load balancer
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "couchbank"
# gunicorn's control socket sits at one fixed path per user: two instances on a host would
# fight over it, and couchbank needs none of its commands
control_socket_disable = True


def on_starting(server: Any) -> None:
    for stale in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(stale)


def post_fork(server: Any, worker: Any) -> None:
    # a request gunicorn cannot parse itself (a request line over limit_request_line, a header
    # over limit_request_field_size, broken chunking) gets the error envelope, not HTML
    from banking.platform.http.server_errors import install_in_gunicorn

    install_in_gunicorn()


def _services(worker: Any) -> Any:
    from banking.platform.services import EXTENSION

    extensions = getattr(getattr(worker, "wsgi", None), "extensions", {})
    return extensions.get(EXTENSION)


def post_worker_init(worker: Any) -> None:
    # in the worker, after the fork: upgrade the schema (the migration lock makes it once
    # across processes), then the reconciler, checkpoints and nonce pruning unless
    # COUCHBANK_BACKGROUND=0. Every worker may run them: each job claims its work in the database.
    services = _services(worker)
    if services is None:  # the app failed to load; gunicorn serves its error page
        return
    services.ensure_ready()
    if services.settings.run_background:
        services.start_background()


def worker_exit(server: Any, worker: Any) -> None:
    services = _services(worker)
    if services is not None:
        services.close()  # stops the background workers, drains bank calls, closes the pool


def child_exit(server: Any, worker: Any) -> None:
    # a dead worker's live gauges must not linger in the aggregate
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
