"""`python -m adapters.sandbox BANK --port P --data-dir DIR [--host H]`: any installed sandbox dialect
(`kbank`, `woori`, a partner package's own such as `mirae`)."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from werkzeug.serving import make_server

from adapters.sandbox import logs
from adapters.sandbox.app import create_app, peer_urls_from_env
from adapters.sandbox.banks import dialects


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adapters.sandbox", description=__doc__)
    parser.add_argument("bank", choices=sorted(dialects()))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    # before anything is created: the ledgers, their -wal and -shm files and the credentials
    # under the data directory are the owner's alone (SQLite makes its files later, with the
    # process's umask)
    os.umask(0o077)
    logs.configure()

    app = create_app(args.bank, args.data_dir, peer_urls=peer_urls_from_env(args.bank))
    server = make_server(args.host, args.port, app, threaded=True)
    sandbox = app.extensions["couchbank_sandbox"]

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread
        sandbox.stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"{args.bank} sandbox: http://{args.host}:{server.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
