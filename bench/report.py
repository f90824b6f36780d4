"""The readable table and the one-line JSON summary that ends every run."""
from __future__ import annotations

import json
from typing import Any

#: headline key -> (description, goal as text, test)
GOALS: dict[str, tuple[str, str, Any]] = {
    "turn_cost_ratio": ("verified balance turn / floor (median)", "<= 3.0", lambda v: v <= 3.0),
    "p99_ms": ("p99 latency, 50 devices, gunicorn", "<= 50", lambda v: v <= 50),
    "nlu_per_s": ("NLU utterances per second, one core", ">= 20000", lambda v: v >= 20_000),
    "audit_verify_vs_scan": ("audit verify speed / plain scan speed", ">= 0.5", lambda v: v >= 0.5),
    "scale_ratio": ("turn cost, loaded / empty database", "<= 1.2", lambda v: v <= 1.2),
    "alexa_verify_share": ("Alexa verification, chain cached / Alexa turn", "< 0.10", lambda v: v < 0.10),
}


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(title: str, rows: list[tuple[str, Any]]) -> None:
    print(f"\n== {title}")
    width = max((len(k) for k, _ in rows), default=10)
    for key, value in rows:
        print(f"  {key:<{width}}  {_fmt(value)}")


def goals(summary: dict[str, Any], engine_key: str = "") -> None:
    print(f"\n== goals{engine_key}")
    for key, (text, goal, test) in GOALS.items():
        value = summary.get(key)
        verdict = "n/a" if value is None else ("PASS" if test(value) else "MISS")
        print(f"  {key:<22} {_fmt(value):>12}   goal {goal:<8} {verdict:<5} {text}")


def json_line(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, sort_keys=False)
