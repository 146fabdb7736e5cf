"""`python -m bot try | draft | check`: the dispute engine in a terminal and in scripts.

No token and no network: these commands only read the flow, the facts and the templates.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from bot.cli.outcome_format import format_markdown, format_text
from bot.disputes.engine.checks import run_check
from bot.disputes.engine.errors import DisputeDeskError, InvalidAnswers
from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.parsing import parse_datetime
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.schema import flow_schema
from bot.disputes.engine.session import currency_conflicts, session_from_answers
from bot.replies.checks import check_library
from bot.tones import TONES

NOT_A_TERMINAL = """\
`try` is interactive and needs a terminal. For scripts, use `draft` with an answers file:

    .venv/bin/dispute-desk draft --answers examples/s1-fiverr-cancellation.json --now 2026-11-28T12:00:00Z
    .venv/bin/dispute-desk draft --schema        # the question ids and allowed values, as JSON
"""


def register(subparsers: Any) -> None:
    """Add `try`, `draft` and `check` to the `python -m bot` parser."""
    try_parser = subparsers.add_parser(
        "try",
        help="Answer the dispute questionnaire in this terminal.",
        description="Interactive questionnaire; no token, no network.",
    )
    try_parser.add_argument("--now", help="pretend the time is this ISO-8601 moment (UTC)")
    try_parser.set_defaults(handler=try_command)

    draft = subparsers.add_parser(
        "draft",
        help="Plan the outcome and drafts from an answers file.",
        description="Non-interactive: answers as JSON in, outcome out.",
    )
    source = draft.add_mutually_exclusive_group(required=True)
    source.add_argument("--answers", metavar="FILE|-", help="JSON object of answers keyed by question id")
    source.add_argument("--schema", action="store_true", help="print the questionnaire as JSON and exit")
    draft.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    draft.add_argument("--tone", choices=TONES, help="override the answers' tone")
    draft.add_argument("--now", help="the current time, ISO-8601 (default: the clock)")
    draft.set_defaults(handler=draft_command)

    check = subparsers.add_parser("check", help="Validate the flow and render every draft in every tone.")
    check.add_argument("--now", help="the time to check against, ISO-8601 (default: the clock)")
    check.set_defaults(handler=check_command)


def _now(raw: str | None) -> datetime:
    clock = datetime.now(UTC).replace(microsecond=0)
    return clock if raw is None else parse_datetime(raw, now=clock)


_MAX_ANSWER_DEPTH = 8


def _read_answers(source: str, stdin: IO[str]) -> dict[str, Any]:
    text = stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("the JSON nests too deeply; answers are one object of plain values") from None
    if not isinstance(data, dict):
        raise ValueError("the answers must be a JSON object keyed by question id")
    _check_plain(data, "", 0)
    return data


def _check_plain(value: object, where: str, depth: int) -> None:
    """Refuse nesting deeper than answers ever need, and text that cannot be written as UTF-8."""
    if depth > _MAX_ANSWER_DEPTH:
        raise ValueError(f"{where or 'the answers'} nest too deeply; answers are plain values")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{where or 'a key'} holds an invalid character (a lone surrogate such as \\ud800)"
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key, where, depth + 1)
            _check_plain(item, f"{where}.{key}" if where else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]", depth + 1)


def draft_command(
    args: argparse.Namespace,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Exit 0 with the outcome; 2 with one line per problem when answers are bad or missing."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    flow = load_flow()
    if args.schema:
        stdout.write(json.dumps(flow_schema(flow), indent=2, ensure_ascii=False) + "\n")
        return 0
    try:
        now = _now(args.now)
    except ValueError as exc:
        stderr.write(f"--now: {exc}\n")
        return 2
    try:
        answers = _read_answers(args.answers, stdin)
    except (OSError, ValueError) as exc:
        stderr.write(f"answers: {exc}\n")
        return 2
    try:
        session = session_from_answers(flow, answers, now=now)
        outcome = plan_outcome(flow, session, now=now, tone=args.tone)
        conflicts = currency_conflicts(flow, answers)
        if conflicts:
            outcome = replace(outcome, warnings=(*outcome.warnings, *conflicts))
    except InvalidAnswers as exc:
        stderr.write("".join(f"{problem}\n" for problem in exc.problems))
        return 2
    except DisputeDeskError as exc:
        stderr.write(f"{exc}\n")
        return 2
    if args.format == "json":
        stdout.write(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        stdout.write(format_markdown(outcome))
    else:
        stdout.write(format_text(outcome))
    return 0


def check_command(args: argparse.Namespace, stdout: IO[str] | None = None) -> int:
    """Exit 0 when the flow and every rendered draft are within limits, else 1 with the problems."""
    stdout = stdout or sys.stdout
    report = run_check(now=_now(getattr(args, "now", None)))
    try:
        reply_problems, reply_renders = check_library()
    except DisputeDeskError as exc:  # the library itself does not load
        reply_problems, reply_renders = [f"reply library: {exc}"], 0
    problems = [*report.problems, *reply_problems]
    if problems:
        stdout.write(f"check: {len(problems)} problem(s)\n")
        stdout.write("".join(f"  - {problem}\n" for problem in problems))
        return 1
    stdout.write(
        f"check: ok — flow valid; {report.paths} paths (each against every goal), {report.renders} drafts "
        f"rendered in {len(TONES)} tones; {reply_renders} built-in reply renders (every tone, every platform, "
        "counts 0, 1, 2 and large, dates before and after today) with no broken grammar; "
        "all within Discord's limits\n"
    )
    return 0


def try_command(args: argparse.Namespace, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Interactive mode; exits 2 with how to use `draft` when standard input is not a terminal."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if not stdin.isatty():
        sys.stderr.write(NOT_A_TERMINAL)
        return 2
    from bot.cli.interactive import run_interactive  # questionary is only needed here

    return run_interactive(now=_now(getattr(args, "now", None)), stdout=stdout)


def main(argv: list[str]) -> int:
    """Run one of these sub-commands without `bot.__main__` (tests, temporary scripts)."""
    parser = argparse.ArgumentParser(prog="dispute-desk")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))
