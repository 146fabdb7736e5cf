"""Benchmark functions (``run(iterations) -> dict``), wired into ``make bench`` later."""
