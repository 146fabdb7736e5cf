"""`python -m bot check` for the built-in reply library: a walk over real values, with grammar rules.

Every built-in reply is rendered in every tone, on every platform it claims, with its counts at 0,
1, 2 and a large value (and "unlimited" where that is allowed), and its dates at the earliest and
the latest day it accepts around today. A value the reply refuses on purpose (0 extra days, a
settle-by date in the past) is skipped: refusing it is the behaviour wanted. Each text must read
as a sentence (:data:`GRAMMAR`), fit one Discord message, leave no placeholder, pass the wording
check, and every tone must keep the facts of the others (the values and the template's claims).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, timedelta

from bot.discord_limits import MESSAGE_LIMIT
from bot.errors import TemplateError
from bot.replies.fill import Resolution, render_resolution, resolve
from bot.replies.library import Library, load_library, readable_names
from bot.replies.model import ReplyTemplate, TemplateVariable
from bot.replies.wording import check_reply
from bot.sandbox import lint

_LEFTOVER = re.compile(r"\{\{|\{%|\[[A-Z][a-z]+\]")
LARGE = 1200
_COUNTS = (0, 1, 2, LARGE)
#: Days from today tried for a date, kept when the reply accepts them; at least one before and
#: one after today where the reply allows both.
_DAY_OFFSETS = (-45, -20, -10, -3, -1, 0, 1, 3, 10, 45)

_UNITS = r"(?:day|revision|hour|week|page|item|milestone|fix|change|round|month)"
#: (rule, pattern): a match is a broken sentence.
GRAMMAR: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("singular count with a plural noun", re.compile(rf"(?<![\d.,])1 {_UNITS}(?:s|es)\b", re.IGNORECASE)),
    ("zero written as a number", re.compile(rf"(?<![\d.,])0 {_UNITS}", re.IGNORECASE)),
    ("plural count with a singular noun",
     re.compile(rf"(?<![\d.,$€£₹¥])(?:[2-9]|\d{{2,}}|\d,\d{{3}}) {_UNITS}\b(?!s)")),
    ("'of the 1' / 'all 1'", re.compile(r"\b(?:of the|all|both) 1\b|\b(?:all|both) (?:0|no)\b", re.IGNORECASE)),
    ("a word doubled", re.compile(r"\b(?!\d)(\w+) \1\b", re.IGNORECASE)),
    ("space before punctuation", re.compile(r"[^\S\n][,.;:!?]")),
    ("punctuation doubled", re.compile(r"(?<!\.)\.\.(?!\.)|,,|;;|,\.|\.,")),
    ("an empty bracket", re.compile(r"\(\s*\)|\"\s*\"")),
    ("a double space", re.compile(r"\S  +\S")),
    ("a Python value in the text", re.compile(r"\b(?:None|True|False)\b")),
    ("'a' before a vowel sound", re.compile(r"\ba (?:extra|order|invoice|hour|extension|update|offer|amount|item|"
                                            r"itemised|answer|issue|estimate|email|unlimited|additional)\b", re.I)),
    ("'an' before a consonant sound", re.compile(r"\ban (?:custom|new|milestone|partial|separate|revision|"
                                                 r"quick|short|day|week|little)\b", re.I)),
    ("the form-letter 'Next step:'", re.compile(r"Next step:")),
    ("'in no days' / 'no days ago'", re.compile(r"\bin no \w+|\bno \w+ ago\b", re.IGNORECASE)),
)  # fmt: skip
_EMAIL_CLOSING = re.compile(r"(?im)^(?:best regards|kind regards|regards|best wishes|sincerely|cheers),?$")


def grammar_problems(text: str, *, chat: bool = False) -> list[str]:
    """The grammar rules a rendered text breaks, each with the words that break it."""
    problems = [f"{rule}: {match.group(0)!r}" for rule, pattern in GRAMMAR for match in [pattern.search(text)] if match]
    if chat and _EMAIL_CLOSING.search(text):
        problems.append("an email sign-off in a chat message")
    return problems


def check_library(library: Library | None = None, today: date | None = None) -> tuple[list[str], int]:
    """Problems of every built-in reply, and how many renders were checked."""
    library = library or load_library()
    today = today or date.today()
    problems: list[str] = []
    renders = 0
    for template in library.templates:
        declared = readable_names(template)
        for tone in template.tones:
            where = f"reply {template.name} ({tone})"
            problems += [f"{where}: line {p.line}: {p.message}" for p in lint(template.body(tone), declared)]
        if any(p.startswith(f"reply {template.name} (") for p in problems):
            continue
        found, count = _walk(template, today)
        problems += found
        renders += count
    return list(dict.fromkeys(problems)), renders


def _walk(template: ReplyTemplate, today: date) -> tuple[list[str], int]:
    problems: list[str] = []
    renders = 0
    for platform in template.platforms or ("other",):
        for label, options in value_sets(template, today):
            texts: dict[str, str] = {}
            for tone in template.tones:
                where = f"reply {template.name} ({tone}, {platform}, {label})"
                resolution = resolve(template, tone=tone, options={**options, "platform": platform}, today=today)
                if not resolution.ready:
                    if label == "examples":  # the examples must always be accepted
                        problems.append(f"{where}: example values refused: {_why(resolution)}")
                    break  # a value refused on purpose (0 extra days): refusing is the behaviour wanted
                try:
                    text = render_resolution(resolution)
                except TemplateError as exc:
                    problems.append(f"{where}: {exc}")
                    continue
                renders += 1
                texts[tone] = text
                problems += [f"{where}: {p}" for p in _text_problems(template, resolution, text)]
            problems += _tone_problems(template, platform, label, texts, options)
    return problems, renders


def _why(resolution: Resolution) -> str:
    return "; ".join([*(v.name for v in resolution.missing), *(f"{k}: {v}" for k, v in resolution.invalid.items())])


def _text_problems(template: ReplyTemplate, resolution: Resolution, text: str) -> list[str]:
    problems: list[str] = []
    if not 0 < len(text) <= MESSAGE_LIMIT:
        problems.append(f"{len(text)} characters, one Discord message holds {MESSAGE_LIMIT}")
    if _LEFTOVER.search(text):
        problems.append("a placeholder is left in the text")
    problems += grammar_problems(text, chat=bool(resolution.values.get("chat")))
    signed = str(resolution.values.get("signature") or "")
    if signed and not text.endswith("\n\n" + signed):
        problems.append("the signature is not a paragraph of its own at the end")
    warnings = check_reply(text, platform=resolution.platform or "other", audience=template.audience)
    problems += [f"wording: {w}" for w in warnings]
    return problems


def _tone_problems(
    template: ReplyTemplate, platform: str, label: str, texts: Mapping[str, str], options: Mapping[str, str]
) -> list[str]:
    """Every tone keeps every fact: the values each tone prints, and the template's claims."""
    if len(texts) < 2:
        return []
    problems: list[str] = []
    for name, pattern in template.claims:
        for tone, text in texts.items():
            if not re.search(pattern, text, re.IGNORECASE):
                problems.append(f"reply {template.name} ({tone}, {platform}, {label}): drops the claim '{name}'")
    facts: set[str] = set()
    for text in texts.values():
        facts |= _facts(text)
    for fact in sorted(facts):
        for tone, text in texts.items():
            if fact not in text:
                problems.append(f"reply {template.name} ({tone}, {platform}, {label}): drops the fact {fact!r}")
    return problems


_MONEY = re.compile(r"(?:[$€£₹¥]|\b[A-Z]{3} )\d{1,3}(?:,\d{3})*(?:\.\d+)?")
_DATE = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|"
                   r"December) \d{4}\b")  # fmt: skip
_COUNT = re.compile(rf"\b(?:\d[\d,.]*|no|unlimited) {_UNITS}s?\b")


def _facts(text: str) -> set[str]:
    """Amounts, dates and counts a text states (the facts every tone must keep)."""
    return set(_MONEY.findall(text)) | set(_DATE.findall(text)) | set(_COUNT.findall(text))


def value_sets(template: ReplyTemplate, today: date) -> Iterator[tuple[str, dict[str, str]]]:
    """The examples, then every count at 0, 1, 2 and large with the dates at their earliest and
    their latest accepted day."""
    examples = {v.name: v.example for v in template.fields if not v.computed}
    yield "examples", examples
    counts = [v for v in template.variables if v.type == "number" and not v.computed]
    dates = [v for v in template.variables if v.type == "date"]
    count_values: list[str] = [str(n) for n in _COUNTS]
    if any(v.unlimited for v in counts):
        count_values.append("unlimited")
    for count in count_values if counts else ["-"]:
        for edge in ("earliest", "latest") if dates else ("-",):
            options = dict(examples)
            options.update({v.name: count for v in counts})
            options.update({v.name: _edge_date(v, today, edge) for v in dates})
            yield f"counts {count}, dates {edge}", options


def _edge_date(variable: TemplateVariable, today: date, edge: str) -> str:
    low = variable.minimum if variable.minimum is not None else -1e9
    high = variable.maximum if variable.maximum is not None else 1e9
    accepted = [d for d in _DAY_OFFSETS if low <= d <= high] or [int(max(low, min(high, 0)))]
    offset = accepted[0] if edge == "earliest" else accepted[-1]
    return (today + timedelta(days=offset)).isoformat()
