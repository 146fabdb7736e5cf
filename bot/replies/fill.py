"""Fill a quick reply from what is known; report what is not. Pure apart from the renderer.

Values come, in order of precedence, from the command's options (or a modal), the seller's profile,
then the variable's default. Anything still unknown is reported as missing — grouped into modal
pages of five — and never rendered blank or as a raw ``[Name]``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.errors import MissingVariablesError, TemplateError
from bot.replies.model import ReplyTemplate, TemplateVariable
from bot.replies.typed_values import (
    InvalidValueError,
    format_date,
    format_money,
    parse_date,
    parse_link,
    parse_money,
    parse_number,
    parse_text,
)
from bot.sandbox import render_in_process

MODAL_PAGE_SIZE = 5  # Discord allows five inputs in one modal

#: Template variable -> seller-profile field it is filled from.
PROFILE_FIELDS: Mapping[str, str] = {
    "display_name": "display_name",
    "sign_off": "sign_off",
    "platform": "default_platform",
    "revision_price": "revision_price",
    "hourly_rate": "hourly_rate",
}

Renderer = Callable[[str, Mapping[str, object]], str]
AsyncRenderer = Callable[[str, Mapping[str, object]], Awaitable[str]]


@dataclass(frozen=True)
class Resolution:
    """What is known about one template's variables for one seller and one invocation."""

    template: ReplyTemplate
    tone: str
    values: Mapping[str, object]
    missing: tuple[TemplateVariable, ...] = ()
    #: Variables whose given value was refused, with the reason (shown beside the modal field).
    invalid: Mapping[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.missing and not self.invalid

    @property
    def to_ask(self) -> tuple[TemplateVariable, ...]:
        """Variables to ask for, in declaration order: missing ones and ones given wrongly."""
        wanted = {v.name for v in self.missing} | set(self.invalid)
        return tuple(v for v in self.template.variables if v.name in wanted)

    def pages(self, size: int = MODAL_PAGE_SIZE) -> tuple[tuple[TemplateVariable, ...], ...]:
        """:attr:`to_ask` in modal-sized pages (five fields each)."""
        asking = self.to_ask
        return tuple(asking[i : i + size] for i in range(0, len(asking), size))

    @property
    def source(self) -> str:
        return self.template.body(self.tone)


def resolve(
    template: ReplyTemplate,
    *,
    tone: str | None = None,
    profile: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
    today: date | None = None,
) -> Resolution:
    """Collect and parse every variable of ``template``; nothing is rendered yet."""
    profile = profile or {}
    options = options or {}
    currency = str(profile.get("currency") or "USD")
    chosen_tone = template.pick_tone(tone or _text_or_none(profile.get("default_tone")))
    values: dict[str, object] = {}
    missing: list[TemplateVariable] = []
    invalid: dict[str, str] = {}
    unknown: list[TemplateVariable] = []
    for variable in template.variables:
        raw = _raw_value(variable, profile, options)
        if raw is None:
            unknown.append(variable)
            continue
        try:
            values[variable.name] = parse_value(variable, raw, currency=currency, today=today)
        except InvalidValueError as error:
            invalid[variable.name] = str(error)
    for variable in unknown:  # after the others, so derived values can use them
        derived = _derived(variable, values, today)
        if derived is not None:
            values[variable.name] = derived
        elif variable.required:
            missing.append(variable)
        else:
            values[variable.name] = ""
    return Resolution(template, chosen_tone, values, tuple(missing), invalid)


def parse_value(
    variable: TemplateVariable, raw: str, *, currency: str = "USD", today: date | None = None
) -> object:
    """A typed value ready for the template: money and dates as display text, numbers as numbers."""
    if variable.type == "money":
        return format_money(parse_money(raw, currency))
    if variable.type == "date":
        return format_date(parse_date(raw, today))
    if variable.type == "link":
        return parse_link(raw)
    if variable.type == "number":
        return parse_number(raw)
    return parse_text(raw)


def render_resolution(resolution: Resolution, renderer: Renderer = render_in_process) -> str:
    """Render a ready resolution; raise MissingVariablesError / TemplateError otherwise."""
    _require_ready(resolution)
    return renderer(resolution.source, resolution.values)


async def render_resolution_async(resolution: Resolution, renderer: AsyncRenderer) -> str:
    """As :func:`render_resolution` with an async renderer, e.g. ``RenderPool.render_async``."""
    _require_ready(resolution)
    return await renderer(resolution.source, resolution.values)


def _require_ready(resolution: Resolution) -> None:
    if resolution.missing:
        raise MissingVariablesError(tuple(v.name for v in resolution.missing))
    if resolution.invalid:
        name, reason = next(iter(resolution.invalid.items()))
        raise TemplateError(f"{resolution.template.variable(name).label}: {reason}")


def _raw_value(
    variable: TemplateVariable, profile: Mapping[str, object], options: Mapping[str, object]
) -> str | None:
    for raw in (options.get(variable.name), _profile_value(variable.name, profile)):
        text = _text_or_none(raw)
        if text is not None:
            return text
    return _text_or_none(variable.default)


def _profile_value(name: str, profile: Mapping[str, object]) -> object:
    field_name = PROFILE_FIELDS.get(name)
    return profile.get(field_name) if field_name else None


def _text_or_none(raw: object) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def _derived(variable: TemplateVariable, known: Mapping[str, object], today: date | None) -> object | None:
    """Values computed from others: days late from the due date, when today is known."""
    if variable.name == "days_late" and today is not None and isinstance(known.get("due_date"), str):
        due = parse_date(str(known["due_date"]))
        if due < today:
            return (today - due).days
    return None
