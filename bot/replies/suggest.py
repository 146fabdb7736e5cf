"""Suggest quick replies and dispute types for a buyer's message, by keyword overlap.

Deterministic and cheap (no model, no index): used by the "Draft a reply…" context menu on one
message at a time. Search across thousands of templates is the storage layer's FTS index's job.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.replies.model import ReplyTemplate
from bot.replies.wording import check_reply

_WORD = re.compile(r"[a-z0-9]+")
_JINJA = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)
# Only words that carry no meaning in any phrase: "not", "when", "will", "or" do ("not paid",
# "when will", "or else"), so they stay.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "into",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "and",
        "but",
        "so",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "us",
        "we",
        "our",
        "i",
        "im",
        "ive",
        "id",
        "ill",
        "me",
        "my",
        "you",
        "your",
        "youre",
        "it",
        "is",
        "please",
        "just",
        "hi",
        "hello",
        "hey",
        "thanks",
        "can",
        "could",
        "would",
        "do",
        "have",
        "has",
        "had",
        "get",
        "got",
        "all",
        "some",
        "any",
        "about",
        "again",
    ]
)
# Words that make a public or support text a fit: without one, a buyer's message is answered in
# the chat, so those replies rank below the chat replies.
_PUBLIC_WORDS = frozenset({"review", "reviews", "star", "stars", "rating", "feedback", "left", "posted"})
_SUPPORT_WORDS = frozenset(
    {"support", "report", "mediator", "mediation", "dispute", "chargeback", "claim", "bank", "paypal", "stripe"}
)
_OTHER_AUDIENCE = 0.35
_OFF_PLATFORM_BONUS = 6.0
_SUFFIXES = ("ing", "ed", "es", "s")


def normalise(text: str) -> list[str]:
    """Lowercase word stems without stopwords: "Cancelled orders" -> ["cancel", "order"]."""
    return [_stem(word) for word in _WORD.findall(text.lower().replace("'", "")) if word not in _STOPWORDS]


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            # "cancelled" -> "cancell" -> "cancel", so it meets "cancel".
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
                stem = stem[:-1]
            return stem
    return word


def _contains_phrase(tokens: list[str], phrase: list[str]) -> bool:
    if not phrase:
        return False
    width = len(phrase)
    return any(tokens[i : i + width] == phrase for i in range(len(tokens) - width + 1))


@dataclass(frozen=True)
class Suggestion:
    """A template name (or a dispute type id) and how well it matched; higher is better."""

    id: str
    score: float


# Weights per field: a phrase the template lists as a keyword says most; its body says least.
_FIELD_WEIGHTS = (("keywords", 3.0), ("title", 2.0), ("name", 0.5), ("category", 1.0), ("description", 1.0))
_BODY_WEIGHT = 0.0


TOPICS_FILE = Path(__file__).resolve().parents[2] / "templates" / "replies" / "_topics.toml"
_TOPIC_WEIGHT = 2.0


@cache
def load_topics(path: Path = TOPICS_FILE) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """(topic, its phrases as word stems) from ``_topics.toml``."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(
        (name, tuple(tuple(normalise(phrase)) for phrase in phrases if normalise(phrase)))
        for name, phrases in data.get("topics", {}).items()
    )


def topics_of(text: str) -> frozenset[str]:
    """The topics ``text`` talks about: "Any news?" -> {"update"}."""
    tokens = normalise(text)
    return frozenset(name for name, phrases in load_topics() if any(_contains_phrase(tokens, list(p)) for p in phrases))


@cache
def _template_topics(template: ReplyTemplate) -> frozenset[str]:
    described = " . ".join([*template.keywords, template.title, template.description])
    return topics_of(described) | frozenset().union(*(topics_of(k) for k in template.keywords))


def suggest(text: str, templates: Iterable[ReplyTemplate], k: int = 5) -> list[Suggestion]:
    """The ``k`` templates that best match ``text``, best first; ties broken by name."""
    tokens = normalise(text)
    if not tokens:
        return []
    query = set(tokens)
    topics = topics_of(text)
    words = set(_WORD.findall(text.lower().replace("'", "")))
    # A message that moves contact or payment off the platform calls for the off-platform replies,
    # whatever else it says (the wording check knows those words).
    off_platform = any(
        w.rule == "off_platform" or (w.rule == "fiverr_held" and not w.phrase.lower().startswith("pa"))
        for w in check_reply(text, platform="fiverr", audience="buyer")
    )
    scored = [
        Suggestion(
            t.name,
            _audience_fit(t, words)
            * (_template_score(t, tokens, query) + _TOPIC_WEIGHT * len(topics & _template_topics(t)))
            + (_OFF_PLATFORM_BONUS if off_platform and t.category == "off-platform" else 0.0),
        )
        for t in templates
    ]
    ranked = sorted((s for s in scored if s.score > 0), key=lambda s: (-s.score, s.id))
    return ranked[:k]


def _audience_fit(template: ReplyTemplate, words: set[str]) -> float:
    """1 when the message can call for this kind of text; less for a public or support text the
    message gives no reason for."""
    if template.audience == "public" and not words & _PUBLIC_WORDS:
        return _OTHER_AUDIENCE
    if template.audience == "support" and not words & (_SUPPORT_WORDS | _PUBLIC_WORDS):
        return _OTHER_AUDIENCE
    return 1.0


@cache
def _template_words(
    template: ReplyTemplate,
) -> tuple[tuple[tuple[str, ...], ...], tuple[frozenset[str], ...], frozenset[str]]:
    """A template's keyword phrases, field words (title, name, category, description) and body
    words as stems: worked out once per template, not once per message."""
    phrases = tuple(tuple(normalise(keyword)) for keyword in template.keywords)
    fields = (
        template.title,
        template.name.replace("-", " "),
        template.category.replace("-", " "),
        template.description,
    )
    field_words = tuple(frozenset(normalise(text)) for text in fields)
    body_words = frozenset(w for _, body in template.bodies for w in normalise(_JINJA.sub(" ", body)))
    return phrases, field_words, body_words


def _template_score(template: ReplyTemplate, tokens: list[str], query: set[str]) -> float:
    phrases, field_words, body_words = _template_words(template)
    score = 0.0
    for phrase in phrases:
        if _contains_phrase(tokens, list(phrase)):
            score += 3.0 * len(phrase)  # "partial refund" matched says more than "refund"
    for (_, weight), words in zip(_FIELD_WEIGHTS[1:], field_words, strict=True):
        score += weight * len(query & words)
    score += _BODY_WEIGHT * len(query & body_words)
    return round(score, 3)


DISPUTE_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "cancellation_after_delivery": (
        "cancel",
        "cancellation",
        "cancel the order",
        "not satisfied",
        "unsatisfied",
        "not happy",
        "don't want it",
        "want my money back",
        "refund",
    ),
    "scope_creep": (
        "also add",
        "can you also",
        "one more thing",
        "new feature",
        "small change",
        "quick change",
        "while you're at it",
        "not included",
        "extra page",
        "add a",
    ),
    "revision_loop": (
        "revision",
        "another revision",
        "change it again",
        "redo",
        "not what i wanted",
        "try again",
        "more changes",
        "still not right",
    ),
    "partial_refund_demand": (
        "partial refund",
        "discount",
        "half the money",
        "half back",
        "some money back",
        "refund part",
        "50%",
        "lower the price",
    ),
    "deadline_trouble": (
        "deadline",
        "late",
        "when will",
        "still waiting",
        "extension",
        "more time",
        "overdue delivery",
        "no response",
        "requirements",
        "delay",
    ),
    "leverage_threat": (
        "1 star",
        "one star",
        "bad review",
        "negative review",
        "or else",
        "otherwise i will",
        "report you",
        "leave a review",
        "leave a 1 star",
        "i will leave",
        "for free or",
        "or i will cancel",
        "unless you",
    ),
    "negative_review": (
        "left a review",
        "left you a review",
        "i left",
        "posted a review",
        "my review",
        "the review",
        "star review",
        "rating",
    ),
    "escrow_withheld": (
        "escrow",
        "milestone",
        "release the milestone",
        "withheld",
        "funds",
        "release the funds",
    ),
    "hourly_dispute": (
        "hourly",
        "tracked time",
        "work diary",
        "manual time",
        "hours",
        "timesheet",
        "weekly limit",
    ),
    "chargeback": ("chargeback", "charge back", "paypal", "stripe", "dispute", "bank", "claim", "reversed"),
    "late_payment": (
        "invoice",
        "overdue",
        "not paid",
        "unpaid",
        "payment",
        "pay you",
        "late payment",
        "pay next week",
    ),
    "deposit_refund": ("deposit", "refund the deposit", "deposit back", "advance", "cancel the project"),
    "work_used_after_refund": (
        "still using",
        "using the design",
        "after the refund",
        "live site",
        "copyright",
        "license",
        "used the work",
    ),
}
"""Dispute type id -> phrases a buyer's message about it tends to contain."""


def suggest_dispute_types(
    text: str, k: int = 3, keywords: Mapping[str, tuple[str, ...]] = DISPUTE_KEYWORDS
) -> list[Suggestion]:
    """The ``k`` dispute types whose phrases ``text`` contains most, best first."""
    tokens = normalise(text)
    scored = []
    for type_id, phrases in keywords.items():
        score = 0.0
        for phrase in phrases:
            words = normalise(phrase)
            if _contains_phrase(tokens, words):
                score += float(len(words))
        if score > 0:
            scored.append(Suggestion(type_id, score))
    return sorted(scored, key=lambda s: (-s.score, s.id))[:k]
