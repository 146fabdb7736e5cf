"""Write the blind-panel brief of the cases: each situation, then the drafts the real CLI produces.

    python -m tests.panel_cases --out /work/panel9/cases.md

For each case of tests/cases/cases.toml: the situation in plain words, then every draft (title,
audience, full text) from `python -m bot draft --answers FILE --format json --tone neutral --now ...`
run as a separate process, exactly as a script would. Nothing else (no expected phrases, no rules).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "cases"
AUDIENCE = {
    "buyer": "to the buyer / client",
    "support": "to the platform's support",
    "public": "public (posted under the review)",
    "processor": "to the payment processor",
    "mediator": "to the mediator",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.panel_cases")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--tone", default="neutral")
    args = parser.parse_args(argv)
    cases = tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]
    lines = ["# Cases for the sendability panel", ""]
    count = 0
    for number, case in enumerate(cases, 1):
        command = [
            sys.executable,
            "-m",
            "bot",
            "draft",
            "--answers",
            str(CASES_DIR / f"{case['file']}.json"),
            "--format",
            "json",
            "--tone",
            args.tone,
            "--now",
            case["now"],
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        outcome = json.loads(result.stdout)
        lines += [f"## Case {number}", "", f"Today is {case['now'][:10]}. {case['situation']}", ""]
        for draft in outcome["drafts"]:
            count += 1
            lines += [
                f"### Draft {number}.{outcome['drafts'].index(draft) + 1}: {draft['title']}",
                f"Audience: {AUDIENCE[draft['audience']]}",
                "",
                "```text",
                draft["text"],
                "```",
                "",
            ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(cases)} cases, {count} drafts -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
