"""`python -m bot check` for the built-in reply library: lint, render with sample values, limits."""

from __future__ import annotations

import re

from bot.errors import TemplateError
from bot.replies.fill import render_resolution, resolve
from bot.replies.library import Library, load_library
from bot.sandbox import lint

MESSAGE_LIMIT = 2000
_LEFTOVER = re.compile(r"\{\{|\{%|\[[A-Z][a-z]+\]")


def check_library(library: Library | None = None) -> tuple[list[str], int]:
    """Problems of every built-in reply in every tone, and how many renders were checked."""
    library = library or load_library()
    problems: list[str] = []
    renders = 0
    for template in library.templates:
        declared = [variable.name for variable in template.variables]
        examples = {variable.name: variable.example for variable in template.variables}
        for tone in template.tones:
            where = f"reply {template.name} ({tone})"
            problems += [f"{where}: line {p.line}: {p.message}" for p in lint(template.body(tone), declared)]
            resolution = resolve(template, tone=tone, options=examples)
            if not resolution.ready:
                unusable = resolution.missing or resolution.invalid
                problems.append(f"{where}: sample values missing or invalid: {unusable}")
                continue
            try:
                text = render_resolution(resolution)
            except TemplateError as exc:
                problems.append(f"{where}: {exc}")
                continue
            renders += 1
            if not 0 < len(text) <= MESSAGE_LIMIT:
                problems.append(f"{where}: {len(text)} characters, one Discord message holds {MESSAGE_LIMIT}")
            if _LEFTOVER.search(text):
                problems.append(f"{where}: a placeholder is left in the text")
    return problems, renders
