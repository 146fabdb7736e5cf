"""Load and validate the built-in quick-reply library (``templates/replies/*.toml``).

Layout: one TOML file per category with ``category`` and ``[[template]]`` tables;
``_variables.toml`` declares variables shared by many templates, which a template lists by name
(``variables = ["buyer_name", {name = "new_items", type = "text", ...}]``). Every body passes the
same linter as a user template, against the template's declared variables.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bot.errors import DisputeDeskError
from bot.replies.model import (
    AUDIENCES,
    EXAMPLE_MAX,
    LABEL_MAX,
    TITLE_MAX,
    TONES,
    VARIABLE_TYPES,
    Audience,
    ReplyTemplate,
    TemplateVariable,
    VariableType,
)
from bot.sandbox import lint

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "templates" / "replies"
SHARED_VARIABLES_FILE = "_variables.toml"
PLATFORMS = ("marketplace", "direct")

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME_MAX = 32  # a slash-command option value stays readable and under Discord's limits


class LibraryError(DisputeDeskError):
    """A library file is malformed; the message names the file and the template."""


@dataclass(frozen=True)
class Library:
    templates: tuple[ReplyTemplate, ...]

    def __iter__(self) -> Iterator[ReplyTemplate]:
        return iter(self.templates)

    def __len__(self) -> int:
        return len(self.templates)

    def get(self, name: str) -> ReplyTemplate:
        for template in self.templates:
            if template.name == name:
                return template
        raise KeyError(name)

    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.category for t in self.templates))

    def in_category(self, category: str) -> tuple[ReplyTemplate, ...]:
        return tuple(t for t in self.templates if t.category == category)


def load_library(directory: Path = LIBRARY_DIR) -> Library:
    """Every template in ``directory``; raise LibraryError on the first invalid one."""
    shared = load_shared_variables(directory / SHARED_VARIABLES_FILE)
    templates: list[ReplyTemplate] = []
    for path in sorted(directory.glob("*.toml")):
        if path.name != SHARED_VARIABLES_FILE:
            templates.extend(load_category_file(path, shared))
    names = [t.name for t in templates]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise LibraryError(f"duplicate template names: {', '.join(duplicates)}")
    return Library(tuple(templates))


def read_library_file(path: Path) -> dict[str, Any]:
    """The parsed TOML of a library file; LibraryError when it is not valid TOML."""
    return _read_toml(path)


def load_shared_variables(path: Path) -> dict[str, TemplateVariable]:
    if not path.exists():
        return {}
    data = _read_toml(path)
    return {
        name: parse_variable({"name": name, **_table(spec, f"{path.name}: {name}")}, f"{path.name}: {name}")
        for name, spec in data.get("variables", {}).items()
    }


def load_category_file(path: Path, shared: Mapping[str, TemplateVariable]) -> list[ReplyTemplate]:
    data = _read_toml(path)
    category = data.get("category")
    if not isinstance(category, str) or not _SLUG.match(category):
        raise LibraryError(f"{path.name}: 'category' must be a lowercase slug")
    return [
        parse_template(_table(raw, f"{path.name}: template #{i}"), category, shared, path.name)
        for i, raw in enumerate(data.get("template", []), start=1)
    ]


def parse_template(
    raw: Mapping[str, Any],
    category: str,
    shared: Mapping[str, TemplateVariable],
    source: str,
    *,
    lint_bodies: bool = True,
) -> ReplyTemplate:
    """Validate one ``[[template]]`` table (shared by the loader and the template-author CLI).

    ``lint_bodies=False`` checks only the metadata; the CLI lints bodies itself to report every
    problem with its line in the TOML file.
    """
    name = raw.get("name", "")
    where = f"{source}: {name or '(unnamed)'}"
    if not isinstance(name, str) or not _SLUG.match(name) or len(name) > _NAME_MAX:
        raise LibraryError(f"{where}: 'name' must be a lowercase slug of at most {_NAME_MAX} characters")
    title = _text_field(raw, "title", where, TITLE_MAX)
    description = _text_field(raw, "description", where, TITLE_MAX)
    audience = raw.get("audience", "buyer")
    if audience not in AUDIENCES:
        raise LibraryError(f"{where}: 'audience' must be one of {', '.join(AUDIENCES)}")
    platforms = tuple(raw.get("platforms", PLATFORMS))
    if not platforms or any(p not in PLATFORMS for p in platforms):
        raise LibraryError(f"{where}: 'platforms' must list {' and/or '.join(PLATFORMS)}")
    variables = tuple(_variables(raw.get("variables", []), shared, where))
    bodies = _bodies(raw.get("body"), where)
    template = ReplyTemplate(
        name=name,
        title=title,
        category=category,
        description=description,
        audience=cast(Audience, audience),
        variables=variables,
        bodies=bodies,
        platforms=platforms,
        keywords=tuple(str(k).lower() for k in raw.get("keywords", [])),
        source=source,
    )
    if lint_bodies:
        _lint_bodies(template, where)
    return template


def parse_variable(raw: Mapping[str, Any], where: str) -> TemplateVariable:
    name = raw.get("name", "")
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise LibraryError(f"{where}: variable name {name!r} must be lowercase letters, digits and _")
    if raw.get("type") not in VARIABLE_TYPES:
        raise LibraryError(f"{where}: variable '{name}' needs a type: {', '.join(VARIABLE_TYPES)}")
    label = _text_field(raw, "label", f"{where}: variable '{name}'", LABEL_MAX)
    default = raw.get("default")
    required = bool(raw.get("required", default is None))
    if not required and default is None:
        raise LibraryError(f"{where}: optional variable '{name}' needs a default (it may be \"\")")
    example = str(raw.get("example", ""))
    if not example or len(example) > EXAMPLE_MAX:
        raise LibraryError(f"{where}: variable '{name}' needs an example of at most {EXAMPLE_MAX} characters")
    return TemplateVariable(
        name=name,
        type=cast(VariableType, raw["type"]),
        label=label,
        required=required,
        default=None if default is None else str(default),
        description=str(raw.get("description", "")),
        example=example,
    )


def _variables(
    entries: Iterable[Any], shared: Mapping[str, TemplateVariable], where: str
) -> Iterator[TemplateVariable]:
    seen: set[str] = set()
    for entry in entries:
        if isinstance(entry, str):
            if entry not in shared:
                raise LibraryError(f"{where}: unknown shared variable '{entry}'")
            variable = shared[entry]
        else:
            variable = parse_variable(_table(entry, where), where)
        if variable.name in seen:
            raise LibraryError(f"{where}: variable '{variable.name}' is declared twice")
        seen.add(variable.name)
        yield variable


def _bodies(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, str):
        return (("neutral", raw.strip()),)
    if isinstance(raw, dict) and raw:
        unknown = set(raw) - set(TONES)
        if unknown:
            raise LibraryError(
                f"{where}: unknown tone(s) {', '.join(sorted(unknown))}; use {', '.join(TONES)}"
            )
        return tuple((tone, str(raw[tone]).strip()) for tone in TONES if tone in raw)
    raise LibraryError(f"{where}: 'body' must be text or a table of tones ({', '.join(TONES)})")


def _lint_bodies(template: ReplyTemplate, where: str) -> None:
    declared = [v.name for v in template.variables]
    for tone, body in template.bodies:
        problems = lint(body, declared)
        if problems:
            listed = "; ".join(str(p) for p in problems)
            raise LibraryError(f"{where} ({tone}): {listed}")


def _text_field(raw: Mapping[str, Any], key: str, where: str, limit: int) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise LibraryError(f"{where}: '{key}' must be text of 1 to {limit} characters")
    return value.strip()


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LibraryError(f"{where}: expected a table")
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise LibraryError(f"{path.name}: {error}") from None
