"""Benchmark: rendering all drafts of the S1 outcome through bot.rendering vs raw Jinja2.

``run(iterations)`` returns figures and prints nothing; `make bench` reports them. Both sides use
the same compiled templates (from the cached built-in environment) and the same contexts; the
difference measured is the overhead of ``render_template`` (lookup, error mapping, tidying).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.planner import prepare
from bot.disputes.engine.session import session_from_answers
from bot.rendering import compiled_template, render_template
from bot.tones import TONES

S1 = Path(__file__).resolve().parents[2] / "examples" / "s1-fiverr-cancellation.json"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(iterations: int = 200) -> dict[str, Any]:
    flow = load_flow()
    session = session_from_answers(flow, json.loads(S1.read_text()), now=NOW)
    prepared = prepare(flow, session, now=NOW)
    jobs = [(spec.template, {**prepared.context, "tone": tone}) for spec in prepared.plan.drafts for tone in TONES]
    compiled = {name: compiled_template(name) for name, _ in jobs}  # compile once, outside the timing

    def ours() -> None:
        for name, context in jobs:
            render_template(name, context)

    def raw() -> None:
        for name, context in jobs:
            compiled[name].render(context)

    ours()
    raw()
    ours_times: list[float] = []
    raw_times: list[float] = []
    for _ in range(iterations):
        for fn, sink in ((raw, raw_times), (ours, ours_times)):
            start = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - start)
    ours_median, raw_median = statistics.median(ours_times), statistics.median(raw_times)
    return {
        "name": "engine_render",
        "drafts_per_outcome": len(jobs),
        "iterations": iterations,
        "ours_median_ms": round(ours_median * 1000, 4),
        "ours_p95_ms": round(_percentile(ours_times, 0.95) * 1000, 4),
        "raw_median_ms": round(raw_median * 1000, 4),
        "raw_p95_ms": round(_percentile(raw_times, 0.95) * 1000, 4),
        "ratio": round(ours_median / raw_median, 3),
        "target_ratio": 1.2,
    }
