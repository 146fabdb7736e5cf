"""The answer-id table of docs/terminal.md, generated from `dispute-desk draft --schema`.

`python -m tests.answer_table` rewrites the table in place; a test fails while it is stale, so the
docs list exactly the ids, conditions and values the questionnaire has.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.schema import flow_schema

DOC = Path(__file__).resolve().parents[1] / "docs" / "terminal.md"
HEADER = "| id | asked when | kind | meaning | allowed (default) |\n| --- | --- | --- | --- | --- |\n"


def _condition(entry: dict[str, Any]) -> str:
    parts = [f"{key} ∈ {'/'.join(map(str, values))}" for key, values in (entry.get("when") or {}).items()]
    parts += [f"{key} ∉ {'/'.join(map(str, values))}" for key, values in (entry.get("unless") or {}).items()]
    return "; ".join(parts) or "always"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def answer_table() -> str:
    rows = []
    for entry in flow_schema(load_flow())["questions"]:
        allowed = entry["allowed"]
        if "default" in entry:
            default = entry["default"]
            shown = ("yes" if default else "no") if isinstance(default, bool) else default
            allowed += f" (default `{shown}`)"
        elif not entry.get("required", True):
            allowed += " (optional)"
        meaning = f"{entry['prompt']} — {entry['help']}" if entry.get("help") else entry["prompt"]
        cells = [f"`{entry['id']}`", _condition(entry), entry["kind"], meaning, allowed]
        rows.append("| " + " | ".join(_cell(str(cell)) for cell in cells) + " |\n")
    return HEADER + "".join(rows)


def current_table(text: str) -> tuple[int, int]:
    """(start, end) of the table in the doc: from its header to the first line that is not a row."""
    start = text.index(HEADER)
    end = start + len(HEADER)
    while text.startswith("|", end):
        end = text.index("\n", end) + 1
    return start, end


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    start, end = current_table(text)
    DOC.write_text(text[:start] + answer_table() + text[end:], encoding="utf-8")
    print(f"rewrote the answer table of {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
