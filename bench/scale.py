"""How the turn cost grows with the data: a verified balance turn on a database holding many
audit events and transfers against the same turn on an empty one, interleaved in one process."""
from __future__ import annotations

import contextlib
import time
from typing import Any

from bench import fill, harness
from bench.turn_cost import BLOCK, TurnBench


def measure(engine: str, iterations: int, events: int, transfers: int) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        benches = {}
        for name in ("empty", "loaded"):
            d = stack.enter_context(harness.workdir(f"scale-{name}"))
            url = stack.enter_context(harness.database(engine, d))
            app = harness.build_app(d, url)
            stack.callback(harness.services_of(app).close)
            benches[name] = TurnBench(app)
        loaded = benches["loaded"].services
        t = time.perf_counter()
        fill.audit_events_bulk(loaded, events)
        fill.transfers_bulk(loaded, transfers)
        load_s = time.perf_counter() - t
        for bench in benches.values():
            bench.run(min(200, iterations))  # warm-up
        samples: dict[str, list[float]] = {"empty": [], "loaded": []}
        while len(samples["loaded"]) < iterations:
            k = min(BLOCK, iterations - len(samples["loaded"]))
            for name, bench in benches.items():
                samples[name] += bench.run(k)
    empty_us, loaded_us = harness.median_us(samples["empty"]), harness.median_us(samples["loaded"])
    return {"engine": engine, "events": events, "transfers": transfers, "load_s": round(load_s, 1),
            "iterations": iterations, "empty_us": round(empty_us, 1), "loaded_us": round(loaded_us, 1),
            "ratio": round(loaded_us / empty_us, 3)}
