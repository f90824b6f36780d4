"""`python -m bench.loadgen PLAN.json`: the load generator, in its own process. One thread per
concurrent device, each with a keep-alive `requests` session; each thread rotates over a few
device identities, each speaking in its own verified conversation, so that the per-device
limit (120 a minute) is never what is measured. Prints one JSON line of client-side
latencies.

With `interval_s` > 0 each device speaks on a schedule (one turn every `interval_s`, phases
spread at random) and a turn's latency runs from when it was due, not from when it was sent,
so a slow server cannot hide its queue (no coordinated omission). With 0 every device fires
its next turn as soon as the last is answered: that measures saturation throughput."""
from __future__ import annotations

import json
import random
import sys
import threading
import time
from typing import Any

import requests

from banking.auth.signing import signed_headers
from tests.support import nonce

PATH = "/v1/voice/turn"


def _worker(url: str, devices: list[list[str]], body_text: str, interval_s: float,
            start_at: float, warm_until: float, stop_at: float, out: list[float], errors: list[str]) -> None:
    http = requests.Session()
    bodies = [json.dumps({"utterance": body_text, "session_id": session_id}, ensure_ascii=False).encode()
              for _, _, session_id in devices]
    i = 0
    due = start_at + random.uniform(0, interval_s)
    while True:
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        now = time.time()
        if now >= stop_at:
            return
        device_id, secret, _ = devices[i % len(devices)]
        raw = bodies[i % len(devices)]
        i += 1
        headers = signed_headers(device_id, secret, "POST", PATH, raw, now=now, nonce=nonce())
        # paced: latency counts from when the turn was due; closed loop: from now
        t = time.perf_counter() - (now - due if interval_s else 0.0)
        due = due + interval_s if interval_s else now
        try:
            resp = http.post(url + PATH, data=raw, headers=headers, timeout=30)
            ok = resp.status_code == 200 and resp.json().get("status") == "completed"
        except requests.RequestException as exc:
            ok, resp = False, exc  # type: ignore[assignment]
        elapsed = time.perf_counter() - t
        if not ok:
            errors.append(str(getattr(resp, "status_code", resp))[:80])
        elif now >= warm_until:
            out.append(elapsed)


def run(plan: dict[str, Any]) -> dict[str, Any]:
    threads = []
    results: list[list[float]] = []
    errors: list[str] = []
    start_at = time.time() + 0.5
    warm_until = start_at + plan["warmup_s"]
    stop_at = warm_until + plan["seconds"]
    for devices in plan["devices"]:
        out: list[float] = []
        results.append(out)
        t = threading.Thread(target=_worker, args=(plan["url"], devices, plan["utterance"],
                                                   plan["interval_s"], start_at, warm_until, stop_at, out, errors))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    samples = sorted(x for out in results for x in out)
    if not samples:
        return {"requests": 0, "errors": len(errors), "error_kinds": sorted(set(errors))[:5]}

    def pct(p: float) -> float:
        return round(samples[min(len(samples) - 1, int(p * len(samples)))] * 1000, 2)

    return {"requests": len(samples), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "per_s": round(len(samples) / plan["seconds"], 1), "p50_ms": pct(0.50), "p90_ms": pct(0.90),
            "p99_ms": pct(0.99), "max_ms": round(samples[-1] * 1000, 2)}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(json.dumps(run(json.load(f))))
