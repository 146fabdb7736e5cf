"""Record the JSON outcome of every path `python -m bot check` walks, in every tone, and compare two records.

A proof tool for refactorings of the planner: record before, change the code, record after, compare.

    python -m tests.snapshot_outcomes record --now 2026-11-28T12:00:00Z --out /tmp/before.jsonl
    python -m tests.snapshot_outcomes record --now 2026-11-28T12:00:00Z --out /tmp/after.jsonl
    python -m tests.snapshot_outcomes compare /tmp/before.jsonl /tmp/after.jsonl

One JSON line per (path, tone), in the order `check` walks the paths: the answers of the path, the
tone and the outcome exactly as `draft --format json` prints it (or the error planning raised).
`compare` exits 0 when the two files are byte-identical and otherwise names the first paths that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import zip_longest
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.paths import explore
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import Session
from bot.tones import TONES


def records(now: datetime) -> Iterator[dict[str, Any]]:
    """One record per walked path and tone, in walking order."""
    flow = load_flow()
    for index, answers in enumerate(explore(flow, now=now, every_goal=True)):
        session = Session(flow.version, now, MappingProxyType(answers), tuple(answers))
        for tone in TONES:
            record: dict[str, Any] = {"path": index, "tone": tone, "answers": answers}
            try:
                record["outcome"] = plan_outcome(flow, session, now=now, tone=tone).to_json()
            except Exception as exc:  # recorded, so that a change in failures shows too
                record["error"] = f"{type(exc).__name__}: {exc}"
            yield record


def record_to(path: Path, now: datetime) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for item in records(now):
            line = json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n"
            handle.write(line)
            digest.update(line.encode())
            count += 1
    return count, digest.hexdigest()


def compare(before: Path, after: Path, show: int = 5) -> list[str]:
    """Differences between two records (empty when byte-identical)."""
    differences: list[str] = []
    with before.open(encoding="utf-8") as old, after.open(encoding="utf-8") as new:
        for number, (left, right) in enumerate(zip_longest(old, new), start=1):
            if left == right:
                continue
            if left is None or right is None:
                differences.append(f"line {number}: only in {'after' if left is None else 'before'}")
            else:
                a, b = json.loads(left), json.loads(right)
                keys = sorted(
                    k
                    for k in {*a.get("outcome", {}), *b.get("outcome", {})}
                    if a.get("outcome", {}).get(k) != b.get("outcome", {}).get(k)
                )
                case = f"{a['answers'].get('platform')}/{a['answers'].get('dispute_type')}"
                differences.append(f"line {number} (path {a['path']}, {case}, {a['tone']}): differs in {keys}")
            if len(differences) >= show:
                break
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.snapshot_outcomes")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--now", default="2026-11-28T12:00:00Z")
    rec.add_argument("--out", required=True, type=Path)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "record":
        now = datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(UTC)
        count, digest = record_to(args.out, now)
        print(f"{count} outcomes ({count // len(TONES)} paths x {len(TONES)} tones) -> {args.out}; sha256 {digest}")
        return 0
    differences = compare(args.before, args.after)
    if differences:
        print("\n".join(differences))
        return 1
    print(f"identical: {args.before} == {args.after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
