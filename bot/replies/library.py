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
from bot.replies.fill import PLATFORM_NAMES, derived_names
from bot.replies.model import (
    AUDIENCES,
    EXAMPLE_MAX,
    LABEL_MAX,
    TITLE_MAX,
    VARIABLE_TYPES,
    Audience,
    ReplyTemplate,
    TemplateVariable,
    VariableType,
)
from bot.replies.platforms import PLATFORMS_FILE, PlatformError, load_platforms
from bot.replies.rules import RULES
from bot.sandbox import lint
from bot.tones import TONES

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "templates" / "replies"
SHARED_VARIABLES_FILE = "_variables.toml"
#: Files in the library folder that hold no templates.
DATA_FILES = (SHARED_VARIABLES_FILE, PLATFORMS_FILE.name, "_topics.toml")

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
        if path.name not in DATA_FILES:
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
    known = load_platforms()
    listed = raw.get("platforms", list(known.keys))
    try:
        platforms = known.expand(listed if isinstance(listed, list) else [listed])
    except PlatformError as error:
        raise LibraryError(f"{where}: {error}") from None
    if not platforms:
        raise LibraryError(f"{where}: 'platforms' must list at least one platform")
    variables = tuple(_variables(raw.get("variables", []), shared, where))
    bodies = _bodies(raw.get("body"), where)
    claims = _claims(raw.get("claims", {}), where)
    rules = tuple(str(r) for r in raw.get("rules", []))
    unknown_rules = [r for r in rules if r not in RULES]
    if unknown_rules:
        raise LibraryError(f"{where}: unknown rule(s) {', '.join(unknown_rules)}; known: {', '.join(RULES)}")
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
        inputs=_inputs(variables, platforms, audience, shared),
        claims=claims,
        rules=rules,
    )
    if lint_bodies:
        _lint_bodies(template, where)
    return template


def _inputs(
    variables: tuple[TemplateVariable, ...],
    platforms: tuple[str, ...],
    audience: str,
    shared: Mapping[str, TemplateVariable],
) -> tuple[TemplateVariable, ...]:
    """What the form may ask beyond the text's values: the platform when the reply fits several
    (its words differ), your name when an email signature may be needed."""
    names = {v.name for v in variables}
    extra: list[TemplateVariable] = []
    if len(platforms) > 1 and "platform" not in names and "platform" in shared:
        extra.append(shared["platform"])
    kinds = {load_platforms()[p].kind for p in platforms}
    signs = "signature" in names and ("direct" in kinds or audience != "buyer")
    if signs and "display_name" not in names and "display_name" in shared:
        extra.append(shared["display_name"])
    return tuple(extra)


def _claims(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        raise LibraryError(f"{where}: 'claims' must be a table of name = regular expression")
    for name, pattern in raw.items():
        try:
            re.compile(str(pattern))
        except re.error as error:
            raise LibraryError(f"{where}: claim '{name}': {error}") from None
    return tuple((str(k), str(v)) for k, v in raw.items())


_NUMBER_KEYS = ("unit", "units", "minimum", "maximum", "whole", "unlimited", "hint", "computed")


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
        **_limits(raw, f"{where}: variable '{name}'"),
    )


def _limits(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Unit, range, hint and computed flag of a variable, checked."""
    result: dict[str, Any] = {}
    for key in ("unit", "units", "hint"):
        if key in raw:
            if not isinstance(raw[key], str):
                raise LibraryError(f"{where}: '{key}' must be text")
            result[key] = raw[key]
    for key in ("minimum", "maximum"):
        if key in raw:
            if isinstance(raw[key], bool) or not isinstance(raw[key], int | float):
                raise LibraryError(f"{where}: '{key}' must be a number")
            result[key] = float(raw[key])
    for key in ("whole", "unlimited", "computed"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise LibraryError(f"{where}: '{key}' must be true or false")
            result[key] = raw[key]
    if raw.get("type") not in ("number", "date") and any(k in raw for k in ("minimum", "maximum")):
        raise LibraryError(f"{where}: only numbers and dates have a minimum or maximum")
    return result


def _variables(
    entries: Iterable[Any], shared: Mapping[str, TemplateVariable], where: str
) -> Iterator[TemplateVariable]:
    seen: set[str] = set()
    for entry in entries:
        if isinstance(entry, str):
            if entry not in shared:
                raise LibraryError(f"{where}: unknown shared variable '{entry}'")
            variable = shared[entry]
        elif isinstance(entry, dict) and "type" not in entry and entry.get("name") in shared:
            # A shared variable with this template's own range, hint or label.
            base = shared[entry["name"]]
            unknown = set(entry) - {"name", "label", "example", "description", *_NUMBER_KEYS}
            if unknown:
                raise LibraryError(f"{where}: '{base.name}' cannot override {', '.join(sorted(unknown))}")
            merged = {**_variable_fields(base), **entry}
            variable = parse_variable(merged, where)
        else:
            variable = parse_variable(_table(entry, where), where)
        if variable.name in seen:
            raise LibraryError(f"{where}: variable '{variable.name}' is declared twice")
        seen.add(variable.name)
        yield variable


def _variable_fields(variable: TemplateVariable) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": variable.name,
        "type": variable.type,
        "label": variable.label,
        "required": variable.required,
        "description": variable.description,
        "example": variable.example,
        "unit": variable.unit,
        "units": variable.units,
        "whole": variable.whole,
        "unlimited": variable.unlimited,
        "hint": variable.hint,
        "computed": variable.computed,
    }
    if variable.default is not None:
        fields["default"] = variable.default
    for key in ("minimum", "maximum"):
        if getattr(variable, key) is not None:
            fields[key] = getattr(variable, key)
    return fields


def readable_names(template: ReplyTemplate) -> list[str]:
    """Every name a built-in text may read: its values, their helpers, the platform and its words."""
    names = [v.name for v in template.variables]
    for variable in template.variables:
        names += derived_names(variable)
    return names + list(PLATFORM_NAMES) + list(load_platforms().word_names)


_TAG_THEN_BLANK = re.compile(r"%\}\n\n")


def _keep_paragraphs(body: str) -> str:
    """A block tag ending a line swallows the newline after it; an empty line written after one
    is kept (so "{% endif %}", an empty line, then a paragraph stays two paragraphs)."""
    return _TAG_THEN_BLANK.sub("%}\n\n\n", body.strip())


def _bodies(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, str):
        return (("neutral", _keep_paragraphs(raw)),)
    if isinstance(raw, dict) and raw:
        unknown = set(raw) - set(TONES)
        if unknown:
            raise LibraryError(f"{where}: unknown tone(s) {', '.join(sorted(unknown))}; use {', '.join(TONES)}")
        return tuple((tone, _keep_paragraphs(str(raw[tone]))) for tone in TONES if tone in raw)
    raise LibraryError(f"{where}: 'body' must be text or a table of tones ({', '.join(TONES)})")


def _lint_bodies(template: ReplyTemplate, where: str) -> None:
    declared = readable_names(template)
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
