"""couchbank benchmarks: how fast, how cheap, and how it grows.

    python -m bench                  # full: real N (1M audit events, 100k transfers)
    python -m bench --quick          # smaller N, fewer iterations (< 5 min on 2 cores)
    python -m bench --quick --tiny   # seconds: what the test suite runs
    python -m bench --only turn,scale

Prints tables, then as its last line one JSON object with the headline numbers (on SQLite;
the same figures on PostgreSQL under "postgresql" when DATABASE_URL names a server).
The service's own logs go to a temporary file, kept (and named in the notes) only when a
section failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from bench import report

SECTIONS = ("turn", "latency", "nlu", "audit", "scale", "transfers", "saturation")


@dataclass(frozen=True)
class Profile:
    name: str
    turn_iterations: int
    scale_iterations: int
    scale_events: int
    scale_transfers: int
    audit_events: int
    append_seconds: float
    export_events: int | None
    latency_seconds: float | None  # None: skipped
    latency_warmup_s: float
    saturation_seconds: float
    transfer_seconds: float | None  # None: skipped
    nlu_seconds: float
    postgres_latency: bool


FULL = Profile("full", 3000, 2000, 1_000_000, 100_000, 1_000_000, 5.0, 1_000_000, 60.0, 5.0, 20.0, 30.0, 5.0, True)
QUICK = Profile("quick", 800, 500, 100_000, 10_000, 100_000, 2.0, 100_000, 20.0, 3.0, 8.0, 8.0, 2.0, False)
TINY = Profile("tiny", 60, 40, 2_000, 200, 2_000, 0.3, 2_000, None, 0.0, 0.0, None, 0.3, False)


def _quiet_logs() -> str:
    """Send the service's stderr logs to a file: they cost what they cost, unseen."""
    fd, path = tempfile.mkstemp(prefix="couchbank-bench-", suffix=".log")
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.close(fd)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller N, fewer iterations (< 5 min)")
    ap.add_argument("--tiny", action="store_true", help="seconds, not minutes (for the test suite)")
    ap.add_argument("--only", default="", help=f"comma-separated sections of {','.join(SECTIONS)}")
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()} or set(SECTIONS)
    unknown = only - set(SECTIONS)
    if unknown:
        ap.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    profile = TINY if args.tiny else QUICK if args.quick else FULL
    log_path = _quiet_logs()

    from banking import bootstrap
    from bench import harness  # after the log redirect: importing the app configures logging

    bootstrap.install_banks()  # as every process does at start: the NLU section parses outside an app

    notes: list[str] = [f"profile {profile.name}"]
    print(f"couchbank bench ({profile.name}) on {os.cpu_count()} cores; engines: {', '.join(harness.engines())}")
    started = time.perf_counter()
    per_engine: dict[str, dict[str, Any]] = {}
    for engine in harness.engines():
        per_engine[engine] = run_engine(engine, profile, only, notes)
    summary = dict(per_engine["sqlite"])
    if "nlu" in only:
        summary["nlu_per_s"] = _section("nlu", notes, lambda: _nlu(profile))
    if "postgresql" in per_engine:
        summary["postgresql"] = per_engine["postgresql"]
        report.goals(per_engine["postgresql"], " (postgresql)")
    report.goals(summary, " (sqlite)" if "postgresql" in per_engine else "")
    summary["mode"] = profile.name
    summary["seconds"] = round(time.perf_counter() - started, 1)
    if any(" failed: " in n for n in notes):
        notes.append(f"tracebacks and service logs in {log_path}")
    else:
        os.remove(log_path)
    summary["notes"] = notes
    print("\nnotes:\n  " + "\n  ".join(notes))
    print(report.json_line(summary), flush=True)
    return 0


def _section(name: str, notes: list[str], fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as exc:  # one broken section must not hide the others' numbers
        notes.append(f"{name} failed: {type(exc).__name__}: {exc}")
        traceback.print_exc()  # into the log file
        return None


def _nlu(profile: Profile) -> int:
    from bench.nlu_eval import measure_throughput

    rate = round(measure_throughput(profile.nlu_seconds))
    report.table("language understanding (bench.nlu_eval.measure_throughput)",
                 [("utterances per second, one core", rate)])
    return rate


def run_engine(engine: str, p: Profile, only: set[str], notes: list[str]) -> dict[str, Any]:
    from bench import alexa_turn, audit_speed, latency, saturation, scale, transfers_e2e, turn_cost

    out: dict[str, Any] = {k: None for k in ("turn_cost_ratio", "p99_ms", "audit_verify_vs_scan", "scale_ratio")}
    tag = f"[{engine}]"
    if "turn" in only:
        r = _section(f"turn {tag}", notes, lambda: turn_cost.measure(engine, p.turn_iterations))
        if r:
            report.table(f"turn cost {tag}: verified balance turn vs floor, WSGI in process", [
                ("iterations each", r["iterations"]), ("turn median µs", r["turn_us"]),
                ("floor median µs", r["floor_us"]), ("turn_cost_ratio", r["ratio"]),
                ("turn median CPU µs (this process)", r["turn_cpu_us"]),
                ("floor median CPU µs (this process)", r["floor_cpu_us"]), ("CPU ratio", r["cpu_ratio"])])
            out.update(turn_cost_ratio=r["ratio"], turn_us=r["turn_us"], floor_us=r["floor_us"],
                       turn_cpu_ratio=r["cpu_ratio"])
        # the same verified balance turn through the Alexa channel (CONTRACT §7.2)
        r = _section(f"alexa turn {tag}", notes, lambda: alexa_turn.measure(engine, max(40, p.turn_iterations // 2)))
        if r:
            report.table(f"alexa turn {tag}: verified balance turn, Alexa-signed vs device-signed, WSGI in process", [
                ("iterations each", r["iterations"]), ("Alexa turn median µs", r["alexa_us"]),
                ("device turn median µs", r["device_us"]), ("alexa_turn_ratio", r["ratio"]),
                ("verification alone (chain cached) median µs", r["verify_us"]),
                ("alexa_verify_share (goal < 0.10)", r["verify_share"])])
            out.update(alexa_turn_ratio=r["ratio"], alexa_verify_share=r["verify_share"])
    if "latency" in only:
        if p.latency_seconds is None or (engine != "sqlite" and not p.postgres_latency):
            notes.append(f"latency {tag} skipped in the {p.name} profile (p99_ms null)")
        else:
            r = _section(f"latency {tag}", notes, lambda: latency.measure(
                engine, 50, p.latency_seconds, p.latency_warmup_s, p.saturation_seconds))
            if r:
                for run, title in (("paced", f"each device one turn every {r['pace_s']:g} s"),
                                   ("saturated", "no pause between turns (saturation)")):
                    x = r[run]
                    report.table(f"latency {tag}: 50 devices, {title}; {r['setup']}, fake partners", [
                        ("turns measured", x["requests"]), ("errors", x["errors"]),
                        ("turns per second", x.get("per_s")), ("p50 ms", x.get("p50_ms")),
                        ("p90 ms", x.get("p90_ms")), ("p99 ms", x.get("p99_ms")), ("max ms", x.get("max_ms"))])
                    if x["errors"]:
                        notes.append(f"latency {tag} {run}: {x['errors']} failed requests: {x['error_kinds']}")
                out.update(p99_ms=r["paced"].get("p99_ms"), saturation_turns_per_s=r["saturated"].get("per_s"),
                           saturation_p99_ms=r["saturated"].get("p99_ms"))
                notes.append(f"p99_ms {tag}: 50 devices each speaking one turn every {r['pace_s']:g} s, "
                             "latency from when the turn was due; saturation_* with no pause")
    if "audit" in only:
        r = _section(f"audit {tag}", notes, lambda: audit_speed.measure(engine, p.audit_events, p.append_seconds, p.export_events))
        if r:
            rows = [("events", r["events"]), ("verifier", r["verifier"]), ("verify s", r["verify_s"]),
                    ("plain scan s", r["scan_s"]), ("verify events/s", r["verify_per_s"]),
                    ("scan events/s", r["scan_per_s"]), ("audit_verify_vs_scan", r["ratio"]),
                    ("durable appends/s (one commit each)", r["appends_per_s"])]
            export = r.get("export") or {}
            rows += [(f"export {k}", v) for k, v in export.items()]
            report.table(f"audit trail {tag}", rows)
            out.update(audit_verify_vs_scan=r["ratio"], audit_appends_per_s=r["appends_per_s"],
                       export_per_s=export.get("per_s"), export_peak_rss_mb=export.get("peak_rss_mb"),
                       export_events=export.get("events"))
            if p.audit_events < 1_000_000:
                notes.append(f"audit {tag}: {p.audit_events:,} events (full run: 1,000,000)")
    if "scale" in only:
        r = _section(f"scale {tag}", notes, lambda: scale.measure(engine, p.scale_iterations, p.scale_events, p.scale_transfers))
        if r:
            report.table(f"scale {tag}: verified balance turn, loaded vs empty database", [
                ("audit events loaded", r["events"]), ("transfers loaded", r["transfers"]),
                ("bulk load s", r["load_s"]), ("iterations each", r["iterations"]),
                ("empty median µs", r["empty_us"]), ("loaded median µs", r["loaded_us"]),
                ("scale_ratio", r["ratio"])])
            out.update(scale_ratio=r["ratio"])
            if p.scale_events < 1_000_000:
                notes.append(f"scale {tag}: {p.scale_events:,} events and {p.scale_transfers:,} transfers "
                             "(full run: 1,000,000 and 100,000)")
    if "transfers" in only:
        if p.transfer_seconds is None:
            notes.append(f"transfers {tag} skipped in the {p.name} profile")
        else:
            r = _section(f"transfers {tag}", notes, lambda: transfers_e2e.measure(engine, p.transfer_seconds))
            if r:
                report.table(f"transfers {tag}: end to end through the sandboxes (sequential)", [
                    ("transfers", r["transfers"]), ("transfer turns per second", r["turns_per_s"]),
                    ("transfers per second", r["transfers_per_s"]), ("outcomes", r["outcomes"])])
                out.update(transfer_turns_per_s=r["turns_per_s"])
    if "saturation" in only:
        sat = saturation.SCALES.get(p.name)
        if sat is None:
            notes.append(f"saturation {tag} skipped in the {p.name} profile")
        else:
            r = _section(f"saturation {tag}", notes, lambda: saturation.measure(engine, sat))
            if r:
                report.table(f"saturation {tag}: exactly-once while slow reads flood every worker "
                             f"({r['scale']} scale, the sandboxes)", [
                    ("balance turns", r["turns"]), ("their outcomes", r["turn_outcomes"]),
                    ("transfers", r["transfers"]), ("answered", r["answered"]), ("final", r["final"]),
                    ("violations", len(r["violations"])), ("still pending", r["pending"]),
                    ("seconds", r["seconds"])])
                out.update(saturation_violations=len(r["violations"]))
                notes += [f"saturation {tag}: {v}" for v in r["violations"]]
    return out


if __name__ == "__main__":
    sys.exit(main())
