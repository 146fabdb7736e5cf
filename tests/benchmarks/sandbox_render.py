"""Latency of rendering a typical library template through the full sandbox path vs raw Jinja2.

``run(iterations)`` returns milliseconds (median and p95) for:

- ``raw_jinja2``: a plain ``jinja2.Environment`` render of a pre-compiled template (the floor);
- ``sandbox_in_process``: the sandbox dialect and caps, in this process (compiled-template cache);
- ``sandbox_pool``: the full path the bot uses — value copy, pipe to a warm worker process, render,
  mention neutralising, reply — i.e. what ``RenderPool.render`` costs per call;
- ``pool_start``: starting the worker pool once (paid at bot start-up, or after a worker is killed).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import jinja2

from bot.replies import load_library, resolve
from bot.sandbox import PoolSettings, RenderPool, render_in_process

TEMPLATE = "cancel-decline-path-forward"
TONE = "neutral"


def _timings(render: Callable[[], object], iterations: int) -> dict[str, float]:
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        render()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 4),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 4),
    }


def run(iterations: int = 1000) -> dict[str, object]:
    template = load_library().get(TEMPLATE)
    options = {v.name: v.example for v in template.fields if not v.computed} | {"platform": "fiverr"}
    resolution = resolve(template, tone=TONE, options=options)
    source, values = resolution.source, dict(resolution.values)

    raw = jinja2.Environment(autoescape=False).from_string(source)  # plain-text baseline
    results: dict[str, object] = {
        "template": TEMPLATE,
        "iterations": iterations,
        "raw_jinja2": _timings(lambda: raw.render(values), iterations),
        "sandbox_in_process": _timings(lambda: render_in_process(source, values), iterations),
    }
    started = time.perf_counter()
    pool = RenderPool(PoolSettings(workers=2)).start()
    try:
        pool.render(source, values)  # first call: the worker compiles and caches the template
        results["pool_start_ms"] = round((time.perf_counter() - started) * 1000, 2)
        results["sandbox_pool"] = _timings(lambda: pool.render(source, values), iterations)
    finally:
        pool.close()
    return results
