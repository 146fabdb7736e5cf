"""Rendering of the built-in templates, and Discord-sized message splitting.

The built-in environment loads `templates/` at the repository root (the parent of the `bot/`
package), with StrictUndefined: a missing value is an error, never a blank. Templates are
compiled once and cached by the environment; ``render_draft`` adds nothing but a dict lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bot.discord_limits import MESSAGE_LIMIT
from bot.errors import DisputeDeskError

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


class DraftTemplateError(DisputeDeskError):
    """A template is missing, broken, or needs a value the context does not have."""


@cache
def builtin_environment() -> jinja2.Environment:
    """The one Jinja2 environment for built-in templates (compiled templates cached for the process)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - plain-text messages, never HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        cache_size=-1,
        auto_reload=False,
    )


_compiled: dict[str, jinja2.Template] = {}


def compiled_template(name: str) -> jinja2.Template:
    """The compiled template ``name`` (relative to `templates/`), compiled on first use only."""
    template = _compiled.get(name)
    if template is None:
        try:
            template = builtin_environment().get_template(name)
        except jinja2.TemplateError as exc:
            raise DraftTemplateError(f"template {name}: {exc}") from exc
        _compiled[name] = template
    return template


def render_template(name: str, context: Mapping[str, Any]) -> str:
    """Render a built-in template; whitespace at both ends is stripped, runs of blank lines collapsed."""
    try:
        text = compiled_template(name).render(context)
    except jinja2.UndefinedError as exc:
        raise DraftTemplateError(f"template {name}: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise DraftTemplateError(f"template {name}: {exc}") from exc
    return _tidy(text)


def _tidy(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines to one (cheap str methods only)."""
    if " \n" in text or "\t\n" in text:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into chunks of at most ``limit`` chars: at paragraphs, then lines, then words.

    A word is cut only when it alone is longer than ``limit``. Joining the chunks with the
    separators they were split at gives back the text (modulo whitespace at the cuts).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    return [chunk for chunk in _split(text, limit, ("\n\n", "\n", " ")) if chunk]


def _split(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    separator, rest = separators[0], separators[1:]
    pieces = [piece.strip() for piece in text.split(separator)]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if not piece:
            continue
        if len(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(_split(piece, limit, rest))
            continue
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks
