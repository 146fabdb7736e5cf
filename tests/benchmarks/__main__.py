"""`make bench`: run every section, print a table, write bench-results.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks import bot_latency


def print_latency_table(title: str, rows: dict[str, Any]) -> None:
    print(f"\n{title}")
    columns = ("p50 ms", "p95 ms", "p99 ms", "ready s", "1st answer s", "peak RSS MiB")
    widths = (9, 9, 9, 8, 12, 12)
    print(f"{'':28} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for label, row in rows.items():
        if isinstance(row, dict) and "p50_ms" in row:
            print(
                f"{label:28} {row['p50_ms']:>9.3f} {row['p95_ms']:>9.3f} {row['p99_ms']:>9.3f} "
                f"{row.get('start_to_ready_s', 0):>8.3f} {row.get('start_to_first_answer_s', 0):>12.3f} "
                f"{row.get('peak_rss_mb') or 0:>12.1f}"
            )


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f} (target <= {target}: {'met' if ratio <= target else 'NOT met'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--samples", type=int, default=400, help="interactions per latency measurement")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    latency = asyncio.run(bot_latency.run(samples=args.samples))
    results["acknowledgement"] = latency
    print_latency_table("Acknowledgement latency (slash command -> callback), each bot in its own process", latency)
    print(f"Dispute Desk /help vs bare bot at the median: {verdict(latency['ratio_p50'], latency['target_ratio_p50'])}")

    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nFigures written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
