"""Lint a user template: every problem an author should fix, each with its line number."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import jinja2
from jinja2 import nodes
from jinja2.parser import Parser

from bot.errors import TemplateError
from bot.sandbox.environment import UserTemplateEnvironment
from bot.sandbox.limits import DEFAULT_LIMITS, Limits
from bot.sandbox.policy import check_policy
from bot.sandbox.render import compile_template

_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MENTION = re.compile(r"@(everyone|here)\b|<(@[!&]?|#)|</[\w-]+:", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class LintProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def lint(
    source: str, declared: Iterable[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[LintProblem]:
    """Problems with ``source``, sorted by line; an empty list means it may be saved.

    ``declared`` is the template's variable list; when given, any other variable it reads is a
    problem (a typo would otherwise only show up when a buyer-facing reply fails to render).
    """
    problems, tree = lint_parsed(source, declared, limits)
    if tree is not None and not problems:
        try:
            compile_template(source, limits)
        except TemplateError as error:
            problems.append(LintProblem(error.line or 1, error.message))
    return sorted(set(problems))


def lint_parsed(
    source: str, declared: Iterable[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[LintProblem], nodes.Template | None]:
    """:func:`lint` without compiling, and the parsed template (None when it could not be parsed).

    For a caller that renders the template in the sandbox next, which compiles it anyway (the
    costliest step of a check: about two thirds of it for a 4,000-character body), and that reads
    the tree itself instead of parsing the source again.
    """
    problems = list(_text_problems(source, limits))
    if len(source) > limits.source_chars:
        return problems, None  # not worth parsing: it cannot be saved anyway
    try:
        tree = Parser(UserTemplateEnvironment(), source).parse()
        problems += [LintProblem(p.line, p.message) for p in check_policy(tree)]
        if declared is not None:
            problems += _undeclared(tree, set(declared))
        problems += _fixed_text_too_long(tree, limits)
    except jinja2.TemplateSyntaxError as error:
        return sorted([*problems, LintProblem(error.lineno or 1, f"syntax error: {error.message}")]), None
    except (RecursionError, MemoryError):
        return sorted([*problems, LintProblem(1, "the template is too deeply nested")]), None
    return sorted(set(problems)), tree


def lint_or_raise(
    source: str, declared: Iterable[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> None:
    """Raise TemplateError for the first lint problem (the save path of personal templates)."""
    problems = lint(source, declared, limits)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise TemplateError(first.message + more, first.line)


def _text_problems(source: str, limits: Limits) -> Iterable[LintProblem]:
    if len(source) > limits.source_chars:
        line = source.count("\n", 0, limits.source_chars) + 1
        yield LintProblem(
            line, f"the template is {len(source):,} characters; the limit is {limits.source_chars:,}"
        )
    for number, text in enumerate(source.split("\n"), start=1):
        if _INVISIBLE.search(text):
            yield LintProblem(number, "invisible control or text-direction characters; retype this line")
        mention = _MENTION.search(text)
        if mention:
            yield LintProblem(number, f"mentions never ping from a quick reply; remove {mention.group(0)!r}")


def _undeclared(tree: nodes.Template, declared: set[str]) -> list[LintProblem]:
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    known = declared | assigned | {"loop"}
    return [
        LintProblem(n.lineno, f"unknown variable '{n.name}'; declare it or fix the spelling")
        for n in tree.find_all(nodes.Name)
        if n.ctx == "load" and n.name not in known and not n.name.startswith("_")
    ]


def _fixed_text_too_long(tree: nodes.Template, limits: Limits) -> list[LintProblem]:
    fixed = sum(len(n.data) for n in tree.find_all(nodes.TemplateData))
    if fixed <= limits.output_chars:
        return []
    return [
        LintProblem(
            1, f"the fixed text alone is {fixed:,} characters; a reply may have {limits.output_chars:,}"
        )
    ]
