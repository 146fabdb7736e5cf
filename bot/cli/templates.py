"""``python -m bot templates lint|render|export|import``: check, try and move quick-reply templates.

Both commands use the bot's sandbox and limits (render runs in the same worker pool). FILE is a raw
template body (``.j2`` or any text file) or a library TOML file (``templates/replies/*.toml``).

Exit codes: 0 success; 1 problems found (listed as ``FILE:LINE: message``) or a render error;
2 values missing (named on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import meta

from bot.cli.template_transfer import register_transfer
from bot.errors import TemplateError
from bot.replies.fill import resolve, tidy
from bot.replies.library import (
    DATA_FILES,
    LIBRARY_DIR,
    SHARED_VARIABLES_FILE,
    LibraryError,
    load_shared_variables,
    parse_template,
    read_library_file,
    readable_names,
)
from bot.replies.model import ReplyTemplate, TemplateVariable
from bot.sandbox import PoolSettings, RenderPool, lint
from bot.sandbox.environment import UserTemplateEnvironment
from bot.tones import TONES

# 0 done, 1 the template has problems, 2 bad usage or input (an unreadable file, bad JSON, a value
# that is missing or cannot be read), as every dispute-desk command.
EXIT_OK, EXIT_PROBLEMS, EXIT_MISSING = 0, 1, 2
EXIT_USAGE = EXIT_MISSING


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("templates", help="lint and try quick-reply templates")
    commands = parser.add_subparsers(
        dest="templates_command", metavar="ACTION {lint,render,export,import}", required=True
    )

    lint_parser = commands.add_parser("lint", help="check templates; exit 1 listing FILE:LINE: problems")
    lint_parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="a .j2 body or a library .toml")
    lint_parser.set_defaults(handler=lint_command)

    render_parser = commands.add_parser("render", help="render a template with values, in the sandbox")
    render_parser.add_argument("file", type=Path, metavar="FILE", help="a .j2 body or a library .toml")
    render_parser.add_argument(
        "--vars", default="{}", help='values as JSON, e.g. \'{"buyer_name": "Sam"}\', or @file.json'
    )
    render_parser.add_argument("--tone", choices=TONES, help="tone variant (library templates)")
    render_parser.add_argument("--name", help="which template of a TOML file (needed when it holds several)")
    render_parser.add_argument("--profile", default="{}", help="seller profile as JSON or @file.json")
    render_parser.add_argument(
        "--today", type=date.fromisoformat, help="the date to count days from, YYYY-MM-DD (default: today)"
    )
    render_parser.set_defaults(handler=render_command)
    register_transfer(commands)  # export|import --guild ID|--user ID FILE (issue 14)


# ---- lint --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileProblem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def lint_command(args: argparse.Namespace) -> int:
    unreadable = [path for path in args.files if not path.is_file()]
    for path in unreadable:
        print(f"error: {path}: no such file", file=sys.stderr)
    if unreadable:
        return EXIT_USAGE
    problems = [problem for path in args.files for problem in lint_file(path)]
    for problem in problems:
        print(problem, file=sys.stdout)
    checked = len(args.files)
    summary = f"{len(problems)} problem(s) in {checked} file(s)" if problems else f"{checked} file(s) clean"
    print(summary, file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def lint_file(path: Path) -> list[FileProblem]:
    """Every problem in ``path`` with its line in that file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [FileProblem(path, 1, f"cannot read the file: {error}")]
    if path.suffix != ".toml":
        return [FileProblem(path, p.line, p.message) for p in lint(text)]
    return list(_lint_toml(path, text))


def _lint_toml(path: Path, text: str) -> Iterator[FileProblem]:
    try:
        data = read_library_file(path)
        shared = _shared_variables(path)
    except LibraryError as error:
        yield FileProblem(path, _toml_error_line(str(error)), str(error))
        return
    if path.name in DATA_FILES:
        return
    lines = text.split("\n")
    for raw in data.get("template", []):
        name = str(raw.get("name", "")) if isinstance(raw, dict) else ""
        name_line = _find_line(lines, rf"""^\s*name\s*=\s*["']{re.escape(name)}["']""", 0) or 1
        try:
            template = parse_template(raw, str(data.get("category", "")), shared, path.name, lint_bodies=False)
        except LibraryError as error:
            yield FileProblem(path, name_line, str(error))
            continue
        for tone, body in template.bodies:
            declared = readable_names(template)
            first_line = _body_first_line(lines, name_line, tone, raw)
            for problem in lint(body, declared):
                yield FileProblem(path, first_line + problem.line - 1, f"{name} ({tone}): {problem.message}")
    if not isinstance(data.get("category"), str):
        yield FileProblem(path, 1, "'category' is missing")


def _body_first_line(lines: list[str], name_line: int, tone: str, raw: Mapping[str, Any]) -> int:
    """The file line of the body's first (stripped) line, so lint lines map onto the TOML file."""
    body = raw.get("body")
    key = "body" if isinstance(body, str) else tone
    value = body if isinstance(body, str) else body[tone] if isinstance(body, dict) else ""
    key_line = _find_line(lines, rf"""^\s*{key}\s*=\s*("{{3}}|'{{3}}|"|')""", name_line - 1)
    if key_line is None:
        return name_line
    opening = lines[key_line - 1].split("=", 1)[1].strip()
    # TOML drops the newline right after an opening """; the body then starts on the next line.
    starts_next_line = opening in ('"""', "'''")
    leading = str(value)[: len(str(value)) - len(str(value).lstrip())].count("\n")
    return key_line + (1 if starts_next_line else 0) + leading


def _find_line(lines: list[str], pattern: str, start: int) -> int | None:
    regex = re.compile(pattern)
    for index in range(start, len(lines)):
        if regex.search(lines[index]):
            return index + 1
    return None


def _toml_error_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _shared_variables(path: Path) -> dict[str, TemplateVariable]:
    sibling = path.parent / SHARED_VARIABLES_FILE
    return load_shared_variables(sibling if sibling.exists() else LIBRARY_DIR / SHARED_VARIABLES_FILE)


# ---- render ------------------------------------------------------------------------------------


def render_command(args: argparse.Namespace) -> int:
    try:
        values = _json_object(args.vars, "--vars")
        profile = _json_object(args.profile, "--profile")
        if args.file.suffix == ".toml":
            template = _pick_template(args.file, args.name)
            return _render_library_template(template, args.tone, values, profile, args.today or date.today())
        return _render_raw(args.file, values)
    except TemplateError as error:
        print(FileProblem(args.file, error.line or 1, error.message), file=sys.stderr)
        return EXIT_PROBLEMS
    except (LibraryError, ValueError, OSError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE


def _render_library_template(
    template: ReplyTemplate,
    tone: str | None,
    values: dict[str, Any],
    profile: dict[str, Any],
    today: date | None,
) -> int:
    resolution = resolve(template, tone=tone, profile=profile, options=values, today=today)
    if resolution.missing:
        names = ", ".join(v.name for v in resolution.missing)
        print(f"missing values: {names}", file=sys.stderr)
        return EXIT_MISSING
    for name, reason in resolution.invalid.items():
        print(f"invalid value for {name}: {reason}", file=sys.stderr)
    if resolution.invalid:
        return EXIT_USAGE
    problems = lint(resolution.source, readable_names(template))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_PROBLEMS
    print(tidy(_render(resolution.source, resolution.values)))
    return EXIT_OK


def _render_raw(path: Path, values: dict[str, Any]) -> int:
    source = path.read_text(encoding="utf-8")
    problems = lint(source)
    if problems:
        for problem in problems:
            print(FileProblem(path, problem.line, problem.message), file=sys.stderr)
        return EXIT_PROBLEMS
    needed = meta.find_undeclared_variables(UserTemplateEnvironment().parse(source))
    missing = sorted(name for name in needed if name not in values)
    if missing:
        print(f"missing values: {', '.join(missing)}", file=sys.stderr)
        return EXIT_MISSING
    print(_render(source, values))
    return EXIT_OK


def _render(source: str, values: Mapping[str, object]) -> str:
    # The bot's limits and worker process; one worker is plenty for one render.
    with RenderPool(PoolSettings(workers=1)) as pool:
        return pool.render(source, values)


def _pick_template(path: Path, name: str | None) -> ReplyTemplate:
    data = read_library_file(path)
    shared = _shared_variables(path)
    tables = [t for t in data.get("template", []) if isinstance(t, dict)]
    if name is not None:
        tables = [t for t in tables if t.get("name") == name]
        if not tables:
            raise LibraryError(f"no template named '{name}'")
    elif len(tables) != 1:
        names = ", ".join(str(t.get("name")) for t in tables)
        raise LibraryError(f"the file holds {len(tables)} templates; pick one with --name ({names})")
    return parse_template(tables[0], str(data.get("category", "")), shared, path.name)


def _json_object(text: str, option: str) -> dict[str, Any]:
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{option} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{option} must be a JSON object")
    return value
