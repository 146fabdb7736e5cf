"""Fill a quick reply from what is known; report what is not. Pure apart from the renderer.

Values come, in order of precedence, from the command's options (or a modal), the seller's profile,
then the variable's default. Anything still unknown is reported as missing — grouped into modal
pages of five — and never rendered blank or as a raw ``[Name]``.

What the text reads beside each value (see :func:`template_values`): counts as phrases from the one
plural helper ("1 day", "3 days"), dates against today ("tomorrow", "3 days ago"), the platform's
display name and its own words, and a signature that never doubles a name.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NoReturn

from bot.discord_limits import MODAL_FIELDS
from bot.errors import MissingVariablesError, TemplateError
from bot.replies.model import ReplyTemplate, TemplateVariable
from bot.replies.platforms import load_platforms
from bot.replies.rules import check_rules
from bot.replies.typed_values import (
    InvalidValueError,
    Money,
    format_date,
    format_money,
    parse_date,
    parse_link,
    parse_money,
    parse_number,
    parse_text,
)
from bot.replies.units import days_phrase, number_text, plural, quantity
from bot.sandbox import render_in_process

#: Template variable -> seller-profile field it is filled from.
PROFILE_FIELDS: Mapping[str, str] = {
    "display_name": "display_name",
    "sign_off": "sign_off",
    "platform": "default_platform",
    "revision_price": "revision_price",
    "hourly_rate": "hourly_rate",
}
DEFAULT_SIGN_OFF = "Best regards"
#: Names every built-in text may read without declaring them: the platform and its chat flag.
PLATFORM_NAMES = ("platform", "platform_key", "chat")

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
    #: The platform the text is written for (a key of ``_platforms.toml``), once known.
    platform: str | None = None

    @property
    def ready(self) -> bool:
        return not self.missing and not self.invalid

    @property
    def to_ask(self) -> tuple[TemplateVariable, ...]:
        """Variables to ask for, in declaration order: missing ones and ones given wrongly."""
        wanted = {v.name for v in self.missing} | set(self.invalid)
        return tuple(v for v in self.template.fields if v.name in wanted)

    def pages(self, size: int = MODAL_FIELDS) -> tuple[tuple[TemplateVariable, ...], ...]:
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
    """Collect and parse every variable of ``template``; nothing is rendered yet.

    Dates are read against ``today`` (the real date when not given): a reminder knows how many days
    are left before the due date or have passed since, and a value outside the range the template
    allows is refused with what to do instead.
    """
    profile = profile or {}
    options = options or {}
    today = today or date.today()
    currency = str(profile.get("currency") or "USD")
    chosen_tone = template.pick_tone(tone or _text_or_none(profile.get("default_tone")))
    values: dict[str, object] = {}
    parsed: dict[str, object] = {}
    missing: list[TemplateVariable] = []
    invalid: dict[str, str] = {}
    platform, platform_problem = _choose_platform(template, profile, options)
    if platform_problem:
        invalid["platform"] = platform_problem
    elif platform is None and _declares(template, "platform"):
        missing.append(template.variable("platform"))
    for variable in template.variables:
        if variable.computed or variable.name == "platform":
            continue
        raw = _raw_value(variable, profile, options)
        if raw is None:
            if variable.required:
                missing.append(variable)
            else:
                values[variable.name] = ""
                values.update(_empty_extras(variable))
            continue
        try:
            value = parse_typed(variable, raw, currency=currency, today=today)
        except InvalidValueError as error:
            invalid[variable.name] = str(error)
            continue
        parsed[variable.name] = value
        values.update(template_values(variable, value, today))
    _computed(template, profile, options, platform, parsed, values, missing, invalid, today)
    _sign_off_without_name(values)
    if platform is not None:
        words = platform_values(platform, template)
        values.update({k: v for k, v in words.items() if k not in values or k == "platform"})
    if not missing and not invalid:
        for variable_name, problem in check_rules(template.rules, parsed, platform):
            invalid.setdefault(variable_name, problem)
    ordered_missing = tuple(v for v in template.fields if v in missing)
    return Resolution(template, chosen_tone, values, ordered_missing, invalid, platform)


def platform_values(platform: str, template: ReplyTemplate) -> dict[str, object]:
    """The platform's display name, key, words, and whether the text is a chat message."""
    chosen = load_platforms()[platform]
    chat = chosen.is_marketplace and template.audience == "buyer"
    return {"platform": chosen.name, "platform_key": chosen.key, "chat": chat, **chosen.words}


def _choose_platform(
    template: ReplyTemplate, profile: Mapping[str, object], options: Mapping[str, object]
) -> tuple[str | None, str | None]:
    """The platform this reply is written for, or why the one given does not fit it."""
    platforms = load_platforms()
    given = _text_or_none(options.get("platform"))
    if given is not None:
        key = platforms.find(given)
        if key is None:
            return None, f"'{given}' is not a platform I know; type one of {platforms.names(platforms.keys)}"
        if not template.fits(key):
            return None, (
                f"this reply is written for {platforms.names(template.platforms)}, not for {platforms.label(key)}; "
                "pick another reply with /reply"
            )
        return key, None
    from_profile = platforms.find(str(profile.get("default_platform") or ""))
    if from_profile is not None and template.fits(from_profile):
        return from_profile, None
    if len(template.platforms) == 1:
        return template.platforms[0], None
    if not template.platforms and not _declares(template, "platform"):
        return from_profile or "other", None  # a personal template: wherever the seller sells
    return None, None


def _computed(
    template: ReplyTemplate,
    profile: Mapping[str, object],
    options: Mapping[str, object],
    platform: str | None,
    parsed: Mapping[str, object],
    values: dict[str, object],
    missing: list[TemplateVariable],
    invalid: dict[str, str],
    today: date,
) -> None:
    """Values worked out from others: days late from the due date; the total due from the amount and
    the late fee; the signature from your name."""
    names = {v.name for v in template.variables if v.computed}
    if "days_late" in names:
        due = parsed.get("due_date")
        late = (today - due).days if isinstance(due, date) else 0
        values.update(template_values(template.variable("days_late"), max(late, 0), today))
    if "total_due" in names:
        _total_due(parsed, values, invalid)
    if "signature" in names:
        values["signature"] = ""
        if platform is None or (load_platforms()[platform].is_marketplace and template.audience == "buyer"):
            return  # a chat message on a marketplace carries no email sign-off
        name = _text_or_none(options.get("display_name")) or _text_or_none(profile.get("display_name"))
        sign_off = _text_or_none(options.get("sign_off")) or _text_or_none(profile.get("sign_off")) or DEFAULT_SIGN_OFF
        if name is None and not _names_itself(sign_off):
            if _declares(template, "display_name") and "display_name" not in invalid:
                missing.append(template.variable("display_name"))
            return
        values["signature"] = signature(sign_off, name or "")


def _total_due(parsed: Mapping[str, object], values: dict[str, object], invalid: dict[str, str]) -> None:
    """The amount plus the contractual late fee ("€2,440"), so a reminder never asks for "the amount
    in full" next to the old figure; the amount alone when there is no fee."""
    amount, fee = parsed.get("amount"), parsed.get("late_fee")
    values["total_due"] = values.get("amount", "")
    if not isinstance(amount, Money) or not isinstance(fee, Money):
        return
    if fee.currency != amount.currency:
        invalid.setdefault(
            "late_fee",
            f"the invoice is in {amount.currency} and the fee in {fee.currency}; type the fee in {amount.currency}",
        )
        return
    values["total_due"] = format_money(Money(amount.amount + fee.amount, amount.currency))


def _sign_off_without_name(values: dict[str, object]) -> None:
    """A sign-off typed with the name in it ("Best regards, Ana") is shown without it when the text
    prints the name itself ("{{ sign_off }}, {{ display_name }}"), so the name is not doubled."""
    sign_off, name = values.get("sign_off"), values.get("display_name")
    if isinstance(sign_off, str) and isinstance(name, str) and name and sign_off.lower().endswith(name.lower()):
        closing = sign_off[: -len(name)].rstrip(" ,-–—")
        if closing:
            values["sign_off"] = closing


def signature(sign_off: str, name: str) -> str:
    """ "Best regards,\\nAlex" — without doubling a name the sign-off already carries.

    "Best regards, Ana" (a /profile sign-off with the name in it) becomes "Best regards,\\nAna";
    "Cheers - Alex" with the name Alex stays as written.
    """
    text = " ".join(sign_off.split()).rstrip(",")
    if _names_itself(text):
        closing, _, signed = text.rpartition(",")
        return f"{closing.strip()},\n{signed.strip()}"
    if name and text.lower().endswith(name.lower()):
        return text
    return f"{text},\n{name}" if name else text


def _names_itself(sign_off: str) -> bool:
    trimmed = sign_off.rstrip(",")
    return "," in trimmed and bool(trimmed.rpartition(",")[2].strip())


def _declares(template: ReplyTemplate, name: str) -> bool:
    return any(v.name == name for v in template.fields)


def parse_typed(variable: TemplateVariable, raw: str, *, currency: str = "USD", today: date | None = None) -> object:
    """The typed value (Money, date, number, bool, text), checked against the variable's range."""
    today = today or date.today()
    if variable.type == "money":
        return parse_money(raw, currency)
    if variable.type == "date":
        day = parse_date(raw, today)
        _check_date_range(variable, day, today)
        return day
    if variable.type == "link":
        return parse_link(raw)
    if variable.type == "number":
        return _checked_number(variable, raw)
    if variable.type == "yes_no":
        return parse_yes_no(raw)
    return parse_text(raw)


def parse_value(variable: TemplateVariable, raw: str, *, currency: str = "USD", today: date | None = None) -> object:
    """A typed value ready for the template: money and dates as display text, counts as phrases."""
    day = today or date.today()
    return template_values(variable, parse_typed(variable, raw, currency=currency, today=day), day)[variable.name]


def template_values(variable: TemplateVariable, value: object, today: date) -> dict[str, object]:
    """What the template reads for one variable: its display form and, by type, helpers.

    money: "$1,500"; date: "14 March 2026", ``<name>_days`` (days from today, negative when past)
    and ``<name>_when`` ("tomorrow", "in 6 days", "3 days ago"); a number with a unit: "3 days" and
    ``<name>_count`` (3); a number that may be unlimited also ``<name>_unlimited``; yes/no: a bool.
    """
    name = variable.name
    if isinstance(value, Money):
        return {name: format_money(value)}
    if isinstance(value, date):
        days = (value - today).days
        return {name: format_date(value), f"{name}_days": days, f"{name}_when": days_phrase(days)}
    if variable.type == "number":
        if value == UNLIMITED:
            counted = variable.units or plural(variable.unit) if variable.unit else ""
            return {name: f"unlimited {counted}".strip(), f"{name}_count": 0, f"{name}_unlimited": True}
        assert isinstance(value, int | float)
        extras: dict[str, object] = {f"{name}_unlimited": False} if variable.unlimited else {}
        if variable.unit:
            return {name: quantity(value, variable.unit, variable.units), f"{name}_count": value, **extras}
        return {name: value, **extras}
    return {name: value}


def _empty_extras(variable: TemplateVariable) -> dict[str, object]:
    if variable.type == "date":
        return {f"{variable.name}_days": 0, f"{variable.name}_when": ""}
    if variable.type == "number" and variable.unit:
        return {f"{variable.name}_count": 0}
    return {}


def derived_names(variable: TemplateVariable) -> tuple[str, ...]:
    """The helper names a template may read beside ``variable`` itself."""
    names: tuple[str, ...] = ()
    if variable.type == "date":
        names = (f"{variable.name}_days", f"{variable.name}_when")
    elif variable.type == "number" and variable.unit:
        names = (f"{variable.name}_count",)
    if variable.type == "number" and variable.unlimited:
        names += (f"{variable.name}_unlimited",)
    return names


UNLIMITED = "unlimited"
_UNLIMITED_WORDS = ("unlimited", "infinite", "no limit", "∞")


def _checked_number(variable: TemplateVariable, raw: str) -> int | float | str:
    text = raw.strip().lower()
    if any(text.startswith(word) for word in _UNLIMITED_WORDS):
        if variable.unlimited:
            return UNLIMITED
        _refuse(variable, "a number is needed here, not 'unlimited'")
    number = parse_number(raw)
    counted = f" of {variable.units or plural(variable.unit)}" if variable.unit else ""
    if variable.whole and number != int(number):
        _refuse(variable, f"'{raw.strip()}' is not a whole number{counted}")
    if variable.minimum is not None and number < variable.minimum:
        _refuse(variable, f"'{raw.strip()}' is too few here: type at least {number_text(variable.minimum)}")
    if variable.maximum is not None and number > variable.maximum:
        _refuse(variable, f"'{raw.strip()}' is too many here: type at most {number_text(variable.maximum)}")
    return number


def _check_date_range(variable: TemplateVariable, day: date, today: date) -> None:
    days = (day - today).days
    low, high = variable.minimum, variable.maximum
    if (low is None or days >= low) and (high is None or days <= high):
        return
    _refuse(variable, f"{format_date(day)} is {days_phrase(days)}; this reply fits a date {_range_text(low, high)}")


def _range_text(low: float | None, high: float | None) -> str:
    def when(days: float) -> str:
        return days_phrase(int(days))

    if low is not None and high is not None:
        return when(low) if low == high else f"from {when(low)} to {when(high)}"
    if low is not None:
        return {0: "from today on", 1: "after today"}.get(int(low), f"from {when(low)} on")
    assert high is not None
    return {0: "up to today", -1: "before today"}.get(int(high), f"up to {when(high)}")


def _refuse(variable: TemplateVariable, message: str) -> NoReturn:
    raise InvalidValueError(f"{message}; {variable.hint}" if variable.hint else message)


_YES = ("yes", "y", "true", "1", "yep", "confirmed", "confirm")
_NO = ("no", "n", "false", "0", "nope")


def parse_yes_no(raw: str) -> bool:
    text = raw.strip().lower().rstrip(".!")
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidValueError(f"'{raw.strip()}': answer yes or no")


def render_resolution(resolution: Resolution, renderer: Renderer = render_in_process) -> str:
    """Render a ready resolution; raise MissingVariablesError / TemplateError otherwise."""
    _require_ready(resolution)
    return tidy(renderer(resolution.source, resolution.values))


async def render_resolution_async(resolution: Resolution, renderer: AsyncRenderer) -> str:
    """As :func:`render_resolution` with an async renderer, e.g. ``RenderPool.render_async``."""
    _require_ready(resolution)
    return tidy(await renderer(resolution.source, resolution.values))


_BLANK_RUN = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """No trailing spaces, at most one empty line in a row, no empty line at either end."""
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUN.sub("\n\n", lines).strip("\n")


def _require_ready(resolution: Resolution) -> None:
    if resolution.missing:
        raise MissingVariablesError(tuple(v.name for v in resolution.missing))
    if resolution.invalid:
        name, reason = next(iter(resolution.invalid.items()))
        raise TemplateError(f"{resolution.template.variable(name).label}: {reason}")


def _raw_value(variable: TemplateVariable, profile: Mapping[str, object], options: Mapping[str, object]) -> str | None:
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
