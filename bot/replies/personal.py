"""Personal templates: check what an author typed, derive its variables, convert stored rows.

Variables are derived from the body: every name a template reads and does not set itself is a
variable. Its type comes from the name (first rule that matches):

- a name the built-in library shares (``buyer_name``, ``order_id``, ``amount``, ``due_date``,
  ``display_name``, ``sign_off``…): that variable as declared in ``templates/replies/_variables.toml``
  (so ``display_name`` and ``sign_off`` come from /profile);
- ``…_date`` / ``date``: date; ``…_link``, ``…_url``, ``link``, ``url``: link;
- ``…_amount``, ``…_price``, ``…_fee``, ``…_rate``, ``…_total``, ``…_cost`` (or those words alone):
  money; ``…_days``, ``days_…``, ``…_count``, ``…_hours`` (or ``days``, ``count``, ``hours``,
  ``quantity``): number;
- anything else: text. ``buyer_message`` is filled with the buyer's words by "Draft a reply…".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.parser import Parser

from bot.replies.model import LABEL_MAX, TITLE_MAX, VARIABLE_TYPES, ReplyTemplate, TemplateVariable, VariableType
from bot.sandbox import MAX_SOURCE_CHARS
from bot.sandbox.environment import UserTemplateEnvironment
from bot.sandbox.lint import lint_parsed
from bot.storage.reply_templates import StoredTemplate, TemplateRecord

NAME_MAX = 32
CATEGORY_MAX = 32
DEFAULT_CATEGORY = "personal"
MAX_VARIABLES = 25  # five modal pages
MAX_PERSONAL_TEMPLATES = 100
BUYER_MESSAGE = "buyer_message"

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SEPARATORS = re.compile(r"[\s_]+")

_BUYER_MESSAGE = TemplateVariable(
    name=BUYER_MESSAGE,
    type="text",
    label="What the buyer wrote",
    example="Can you also add a booking page? It should be included.",
)
_EXAMPLES: Mapping[str, str] = {
    "money": "$150",
    "date": "2026-12-01",
    "link": "https://example.com/orders/123",
    "number": "3",
}


@dataclass(frozen=True)
class AuthorProblem:
    """Something to fix before a personal template can be saved; ``line`` is in the body."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.field} line {self.line}" if self.line is not None else self.field
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Draft:
    """What the author typed in the create/edit form, cleaned."""

    name: str
    title: str
    category: str
    body: str


def clean_slug(text: str) -> str:
    return _SEPARATORS.sub("-", text.strip().lower()).strip("-")


def clean_draft(typed: Mapping[str, str]) -> Draft:
    return Draft(
        name=clean_slug(typed.get("name", "")),
        title=" ".join(typed.get("title", "").split()),
        category=clean_slug(typed.get("category", "")) or DEFAULT_CATEGORY,
        body=typed.get("body", "").replace("\r\n", "\n").strip("\n"),
    )


def check_draft(
    draft: Draft, shared: Mapping[str, TemplateVariable]
) -> tuple[list[AuthorProblem], tuple[TemplateVariable, ...]]:
    """Problems (empty when it may be previewed) and the variables the body declares by use.

    The body is parsed once and not compiled here: every check is followed by a render with sample
    values in the sandbox (the preview), which compiles it and reports a failure with its line.
    """
    problems: list[AuthorProblem] = []
    if not draft.name or len(draft.name) > NAME_MAX or not _SLUG.match(draft.name):
        problems.append(
            AuthorProblem("Name", f"use lowercase letters, digits and dashes, at most {NAME_MAX}, e.g. late-invoice")
        )
    if not draft.title or len(draft.title) > TITLE_MAX:
        problems.append(AuthorProblem("Title", f"give it a title of 1 to {TITLE_MAX} characters"))
    if len(draft.category) > CATEGORY_MAX or not _SLUG.match(draft.category):
        problems.append(AuthorProblem("Category", f"one word or slug of at most {CATEGORY_MAX} characters"))
    if not draft.body.strip():
        problems.append(AuthorProblem("Body", "the body is empty"))
        return problems, ()
    body_problems, tree = lint_parsed(draft.body)
    problems += [AuthorProblem("Body", p.message, p.line) for p in body_problems]
    if body_problems or tree is None:
        return problems, ()
    variables = variables_for(names_read(tree), shared)
    if len(variables) > MAX_VARIABLES:
        problems.append(
            AuthorProblem("Body", f"it reads {len(variables)} different values; at most {MAX_VARIABLES} are asked for")
        )
    return problems, variables


def variable_names(body: str) -> list[str]:
    """Names the body reads and does not set itself, in order of first use (``loop`` excluded)."""
    if len(body) > MAX_SOURCE_CHARS:
        return []
    try:
        tree = Parser(UserTemplateEnvironment(), body).parse()
    except (jinja2.TemplateSyntaxError, RecursionError, MemoryError):
        return []
    return names_read(tree)


def names_read(tree: nodes.Template) -> list[str]:
    """:func:`variable_names` of a template already parsed."""
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    found = [
        n
        for n in tree.find_all(nodes.Name)
        if n.ctx == "load" and n.name not in assigned and n.name != "loop" and not n.name.startswith("_")
    ]
    found.sort(key=lambda n: n.lineno)  # stable: keeps tree order within a line
    return list(dict.fromkeys(n.name for n in found))


def infer_type(name: str) -> VariableType:
    words = name.split("_")
    last, first = words[-1], words[0]
    if last == "date":
        return "date"
    if last in ("link", "url"):
        return "link"
    if last in ("amount", "price", "fee", "rate", "total", "cost"):
        return "money"
    if last in ("days", "count", "hours", "quantity") or first == "days":
        return "number"
    return "text"


def derive_variables(body: str, shared: Mapping[str, TemplateVariable]) -> tuple[TemplateVariable, ...]:
    """The variables a personal template reads. A shared number reaches a personal template as a
    number, not as the library's phrase: its author writes "{{ extra_days }} days" themselves.
    ``days_late`` is worked out from ``due_date`` when the template reads both, else asked."""
    return variables_for(variable_names(body), shared)


def variables_for(names: Sequence[str], shared: Mapping[str, TemplateVariable]) -> tuple[TemplateVariable, ...]:
    """:func:`derive_variables` of the names a body reads."""
    result = []
    for name in names:
        if name in shared:
            variable = replace(shared[name], unit="", units="")
            if variable.computed and name == "days_late":
                variable = replace(variable, computed="due_date" in names)
            result.append(variable)
        elif name == BUYER_MESSAGE:
            result.append(_BUYER_MESSAGE)
        else:
            kind = infer_type(name)
            label = name.replace("_", " ").strip().capitalize()[:LABEL_MAX]
            result.append(TemplateVariable(name=name, type=kind, label=label, example=_EXAMPLES.get(kind, "")))
    return tuple(result)


def sample_values(variables: Sequence[TemplateVariable]) -> dict[str, str]:
    """Stand-in values for a preview: the variable's example, else its name in brackets."""
    return {v.name: v.example or f"[{v.label.lower()}]" for v in variables}


# -- conversions ---------------------------------------------------------------------------------
def variable_to_dict(variable: TemplateVariable) -> dict[str, Any]:
    return asdict(variable)


def variable_from_dict(data: Mapping[str, Any]) -> TemplateVariable:
    name = str(data["name"])
    kind = str(data.get("type") or "text")
    return TemplateVariable(
        name=name,
        type=cast(VariableType, kind if kind in VARIABLE_TYPES else "text"),
        label=str(data.get("label") or name.replace("_", " ").capitalize())[:LABEL_MAX],
        required=bool(data.get("required", True)),
        default=None if data.get("default") is None else str(data["default"]),
        description=str(data.get("description") or ""),
        example=str(data.get("example") or ""),
        unit=str(data.get("unit") or ""),
        units=str(data.get("units") or ""),
        minimum=_number_or_none(data.get("minimum")),
        maximum=_number_or_none(data.get("maximum")),
        whole=bool(data.get("whole", False)),
        unlimited=bool(data.get("unlimited", False)),
        hint=str(data.get("hint") or ""),
        computed=bool(data.get("computed", False)),
    )


def _number_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def builtin_record(template: ReplyTemplate) -> TemplateRecord:
    """A built-in for the search table: every tone's body joined, so search covers them all."""
    return TemplateRecord(
        name=template.name,
        title=template.title,
        category=template.category,
        description=template.description,
        body="\n\n".join(body for _, body in template.bodies),
        variables=tuple(variable_to_dict(v) for v in template.variables),
    )


def personal_record(draft: Draft, variables: Sequence[TemplateVariable]) -> TemplateRecord:
    return TemplateRecord(
        name=draft.name,
        title=draft.title,
        category=draft.category,
        description="",
        body=draft.body,
        variables=tuple(variable_to_dict(v) for v in variables),
    )


def personal_template(stored: StoredTemplate) -> ReplyTemplate:
    """A stored personal (or server) template as a fillable template with one tone."""
    return ReplyTemplate(
        name=stored.name,
        title=stored.title,
        category=stored.category,
        description=stored.description,
        audience="buyer",
        variables=tuple(variable_from_dict(v) for v in stored.variables),
        bodies=(("neutral", stored.body),),
        source=f"{stored.scope}:{stored.id}",
    )


def draft_from_stored(stored: StoredTemplate) -> dict[str, str]:
    """The form values of a stored template, for editing."""
    return {"name": stored.name, "title": stored.title, "category": stored.category, "body": stored.body}
