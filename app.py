"""couchbank: `create_app()` for Flask, gunicorn and tests; `python app.py` for the main job
(the voice service plus both partner sandboxes on loopback, on the embedded SQLite)."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from adapters import registry
from adapters.base import BankInfo
from adapters.probe import wait_until_up
from banking import bootstrap
from banking.demo.seed import seed_demo_if_empty
from banking.platform import config, logs
from banking.platform.http.server_errors import RequestHandler
from banking.platform.partners import Partners
from banking.platform.security import private_files
from banking.platform.services import EXTENSION, Services


def create_app(settings: config.Settings | None = None, *, partners: Partners | None = None) -> Flask:
    logs.configure()
    settings = settings or config.load()
    # here rather than in `main`: flask's CLI and gunicorn's workers come in through this too
    private_files.make_private(settings.data_dir)
    app = Flask("couchbank")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    bootstrap.init_app(app, bootstrap.build(settings, partners=partners))
    return app


def make_wsgi_server(host: str, port: int, app: Flask) -> BaseWSGIServer:
    """werkzeug's threaded server, answering what it refuses itself (a header line over 64 KiB,
    a request that is not HTTP) with the error envelope rather than an HTML page."""
    return make_server(host, port, app, threaded=True, request_handler=RequestHandler)


def _sandbox(bank: BankInfo, service_port: int, data_dir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    assert bank.sandbox is not None  # only banks that ship a sandbox get here
    return subprocess.Popen(
        [sys.executable, "-m", bank.sandbox.module, bank.code, "--host", "127.0.0.1",
         "--port", str(service_port + bank.sandbox.port_offset), "--data-dir", str(data_dir)],
        env=env,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="couchbank voice banking service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=config.DEFAULT_PORT)
    parser.add_argument("--data-dir", default=os.environ.get("COUCHBANK_DATA_DIR", "var"))
    parser.add_argument("--no-sandboxes", action="store_true",
                        help="serve only the voice service; partners come from the configuration")
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir).resolve()
    os.environ["COUCHBANK_DATA_DIR"] = str(data_dir)
    os.environ["COUCHBANK_PORT"] = str(args.port)
    children: list[subprocess.Popen[bytes]] = []
    # one sandbox per installed partner that ships one (CONTRACT §1, §10: P+1 K-Bank, P+2 Woori, P+3 Mirae)
    sandboxed = [] if args.no_sandboxes else [
        (bank, url) for bank in registry.catalogue() if (url := config.sandbox_url(bank, args.port))]
    for bank, url in sandboxed:
        # the sandboxes find each other for interbank delivery through these too
        os.environ.setdefault(config.partner_url_variable(bank.code), url)
    env = dict(os.environ)
    children = [_sandbox(bank, args.port, data_dir, env) for bank, _ in sandboxed]

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    services: Services | None = None
    server = None
    try:
        for bank, _ in sandboxed:
            wait_until_up(f"{os.environ[config.partner_url_variable(bank.code)]}/_sandbox/healthz")
        app = create_app()
        services = app.extensions[EXTENSION]
        services.ensure_ready()
        if seed_demo_if_empty(services):
            print("seeded the demo household (user demo, device demo-tv)", flush=True)
        if services.settings.run_background:  # COUCHBANK_BACKGROUND=0: another process runs them
            services.start_background()
        server = make_wsgi_server(args.host, args.port, app)
        base = f"http://{args.host}:{args.port}"
        print(f"couchbank voice service on {base}", flush=True)
        for bank, url in services.settings.partner_urls.items():
            print(f"  {bank} partner: {url}", flush=True)
        print(f"  API docs {base}/docs · speaker console {base}/console · auditors {base}/audit", flush=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        if server is not None:
            server.shutdown()
        if services is not None:
            services.close()
        for child in children:
            child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
