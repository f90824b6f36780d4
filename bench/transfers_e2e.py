"""Transfer turns per second end to end: the service in process, the partners as the real
sandbox processes over HTTP. One transfer is two turns: the request, then the PIN."""
from __future__ import annotations

import json
import time
from typing import Any

from adapters import registry
from adapters.sandbox.testing import running_sandboxes
from banking.platform.partners import Partners
from bench import harness

#: small enough that the demo account (1,250,000 won) and the daily limit last the whole run:
#: at 1,000 won the sandbox ran out of money partway and the rest measured refusals
REQUEST = "아빠한테 100원 보내줘"


def measure(engine: str, seconds: float) -> dict[str, Any]:
    with harness.workdir("transfers") as d, running_sandboxes(d / "sandboxes") as urls, \
            harness.database(engine, d) as url:
        partners = Partners({bank: registry.create(bank, base_url=urls[bank], timeout_s=5.0,
                                                   data_dir=d / "sandboxes") for bank in urls})
        app = harness.build_app(d, url, partners)
        services = harness.services_of(app)
        try:
            # as many devices as the other benchmarks: 50 were throttled once transfers got faster
            signer = harness.Signer(harness.register_devices(services))
            turns = transfers = 0
            statuses: dict[str, int] = {}
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                status, body = harness.call(app, harness.prepare([signer.environ({"utterance": REQUEST, "session_id": None})])[0])
                reply = json.loads(body)
                assert status == 200 and reply["awaiting"] == "pin", reply
                status, body = harness.call(app, harness.prepare([signer.environ(
                    {"utterance": harness.PIN, "session_id": reply["session_id"]}, same_device=True)])[0])
                reply = json.loads(body)
                assert status == 200, reply
                outcome = (reply.get("data") or {}).get("status", reply["status"])
                statuses[outcome] = statuses.get(outcome, 0) + 1
                turns += 2
                transfers += 1
            elapsed = time.perf_counter() - start
        finally:
            services.close()
    return {"engine": engine, "transfers": transfers, "turns_per_s": round(turns / elapsed, 1),
            "transfers_per_s": round(transfers / elapsed, 1), "outcomes": statuses}
