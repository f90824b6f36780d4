"""Server-side cost of a PIN-verified balance turn against the stack's floor, in one process,
on one database, interleaved in blocks so that drift of the machine hits both alike."""
from __future__ import annotations

import time
from typing import Any

from flask import Flask

from bench import harness
from bench.floor import create_floor_app

BLOCK = 100  # requests per block; signed just before their block runs (300 s window)


#: CPU seconds of each timed request (this process), next to the wall-clock samples: on a
#: shared machine the wall clock also counts other jobs and a busy disk
CPU: dict[int, list[float]] = {}


def time_requests(app: Flask, environs: list[dict[str, Any]], check: Any = None) -> list[float]:
    samples = []
    cpu = CPU.setdefault(id(app), [])
    clock, cpu_clock = time.perf_counter, time.process_time
    for env in environs:
        start, cpu_start = clock(), cpu_clock()
        status, body = harness.call(app, env)
        samples.append(clock() - start)
        cpu.append(cpu_clock() - cpu_start)
        if check:
            check(status, body)
    return samples


class TurnBench:
    """A seeded service with bench devices and one verified session, ready to time."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.services = harness.services_of(app)
        self.signer = harness.Signer(harness.register_devices(self.services))
        harness.verify_sessions(app, self.signer)
        #: the floor's body carries a session id of the same length; it reads none
        self.session_id = next(iter(self.signer.sessions.values()))

    def run(self, n: int) -> list[float]:
        samples: list[float] = []
        while len(samples) < n:
            block = harness.balance_turns(self.signer, min(BLOCK, n - len(samples)))
            samples += time_requests(self.app, block, harness.check_balance_reply)
        return samples


def floor_for(bench: TurnBench) -> tuple[Flask, harness.Signer]:
    signer = harness.Signer(bench.signer.devices)
    return create_floor_app(bench.services.db, dict(signer.devices), harness.TURN_PATH), signer


def measure(engine: str, iterations: int) -> dict[str, Any]:
    with harness.workdir("turn") as d, harness.database(engine, d) as url:
        app = harness.build_app(d, url)
        try:
            bench = TurnBench(app)
            floor, floor_signer = floor_for(bench)
            bench.run(min(200, iterations))  # warm caches, pools and code paths
            time_requests(floor, harness.prepare(
                [floor_signer.environ({"utterance": harness.BALANCE, "session_id": None}) for _ in range(50)]))
            CPU.pop(id(app), None)
            CPU.pop(id(floor), None)
            turn_s: list[float] = []
            floor_s: list[float] = []
            while len(turn_s) < iterations:
                k = min(BLOCK, iterations - len(turn_s))
                turn_s += bench.run(k)
                floor_s += time_requests(floor, harness.prepare(
                    [floor_signer.environ({"utterance": harness.BALANCE, "session_id": bench.session_id})
                     for _ in range(k)]))
            turn_cpu, floor_cpu = harness.median_us(CPU.pop(id(app))), harness.median_us(CPU.pop(id(floor)))
        finally:
            harness.services_of(app).close()
    turn_us, floor_us = harness.median_us(turn_s), harness.median_us(floor_s)
    return {"engine": engine, "iterations": iterations, "turn_us": round(turn_us, 1),
            "floor_us": round(floor_us, 1), "ratio": round(turn_us / floor_us, 3),
            "turn_cpu_us": round(turn_cpu, 1), "floor_cpu_us": round(floor_cpu, 1),
            "cpu_ratio": round(turn_cpu / floor_cpu, 3)}
