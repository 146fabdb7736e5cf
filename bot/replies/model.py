"""Quick-reply templates as frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from bot.tones import Tone

VariableType = Literal["text", "money", "date", "link", "number", "yes_no"]
Audience = Literal["buyer", "public", "support"]

VARIABLE_TYPES: tuple[str, ...] = get_args(VariableType)
AUDIENCES: tuple[str, ...] = get_args(Audience)
DEFAULT_TONE: Tone = "neutral"

#: Discord limits the template data has to respect (modal labels, placeholders, choice names).
LABEL_MAX = 45
EXAMPLE_MAX = 100
TITLE_MAX = 100


@dataclass(frozen=True)
class TemplateVariable:
    """A placeholder a template declares: typed, labelled for a modal, required or defaulted."""

    name: str
    type: VariableType
    label: str
    required: bool = True
    default: str | None = None
    description: str = ""
    #: A realistic value: the modal's placeholder, the docs and the library tests use it.
    example: str = ""
    #: number: the counted thing ("day"); the template then receives the phrase ("3 days") and
    #: the number itself as ``<name>_count``.
    unit: str = ""
    units: str = ""
    #: number: the smallest and largest value that makes sense, and whether it must be whole;
    #: date: the earliest and latest day it may be, in days from today (-1 yesterday, 1 tomorrow).
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False
    #: number: "unlimited" is a real answer (a package with unlimited revisions).
    unlimited: bool = False
    #: What to do instead when a value is out of range (shown with the refusal).
    hint: str = ""
    #: Worked out from other values (days late from the due date); never asked in a form.
    computed: bool = False


@dataclass(frozen=True)
class ReplyTemplate:
    """A quick reply: metadata, declared variables, and one body per tone."""

    name: str
    title: str
    category: str
    description: str
    audience: Audience
    variables: tuple[TemplateVariable, ...]
    #: (tone, Jinja2 body) pairs in the sandbox dialect; a template without variants has one.
    bodies: tuple[tuple[str, str], ...]
    #: Platform keys it fits (``templates/replies/_platforms.toml``); empty: every platform.
    platforms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    source: str = field(default="", compare=False)
    #: Values the form may ask for that the text does not print itself (the platform, your name
    #: for an email signature).
    inputs: tuple[TemplateVariable, ...] = ()
    #: Key claims every tone must keep: name -> a regular expression each tone's text matches.
    claims: tuple[tuple[str, str], ...] = ()
    #: Named checks of the values against platform rules (``bot/replies/rules.py``).
    rules: tuple[str, ...] = ()

    @property
    def tones(self) -> tuple[str, ...]:
        return tuple(tone for tone, _ in self.bodies)

    def pick_tone(self, wanted: str | None) -> str:
        """``wanted`` when this template has it, else neutral, else its first variant."""
        for candidate in (wanted, DEFAULT_TONE):
            if candidate in self.tones:
                return candidate
        return self.bodies[0][0]

    def body(self, tone: str | None = None) -> str:
        return dict(self.bodies)[self.pick_tone(tone)]

    def fits(self, platform: str | None) -> bool:
        """Whether this reply is for ``platform`` (unknown platform: every reply fits)."""
        return not platform or not self.platforms or platform in self.platforms

    @property
    def fields(self) -> tuple[TemplateVariable, ...]:
        """Everything a form may ask for, in order: the text's values, then the extra inputs."""
        return self.variables + self.inputs

    def variable(self, name: str) -> TemplateVariable:
        for variable in self.fields:
            if variable.name == name:
                return variable
        raise KeyError(name)

    @property
    def buyer_facing(self) -> bool:
        return self.audience == "buyer"
