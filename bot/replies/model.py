"""Quick-reply templates as frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

VariableType = Literal["text", "money", "date", "link", "number"]
Audience = Literal["buyer", "public", "support"]
Tone = Literal["friendly", "neutral", "firm"]

VARIABLE_TYPES: tuple[str, ...] = get_args(VariableType)
AUDIENCES: tuple[str, ...] = get_args(Audience)
TONES: tuple[str, ...] = get_args(Tone)
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
    #: Where it applies: "marketplace" (Fiverr, Upwork…), "direct" (own invoices) or both.
    platforms: tuple[str, ...] = ("marketplace", "direct")
    keywords: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

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

    def variable(self, name: str) -> TemplateVariable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)

    @property
    def buyer_facing(self) -> bool:
        return self.audience == "buyer"
