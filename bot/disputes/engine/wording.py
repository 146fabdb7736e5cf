"""Wording checks: phrases that get Fiverr messages held, review talk, threats, off-platform contact.

Pure functions. Used on built-in drafts (tests: none may warn), on the buyer's own message, and by
front ends on a seller's edits before they send them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKETPLACES = frozenset({"fiverr", "upwork", "freelancer", "peopleperhour", "other"})


@dataclass(frozen=True)
class WordingWarning:
    """One risky phrase: which rule it breaks and the exact text found."""

    rule: str
    phrase: str
    reason: str

    def __str__(self) -> str:
        return f"{self.phrase!r}: {self.reason}"


_FIVERR_HELD = re.compile(
    r"(?i)\b(outside (?:of )?fiverr|off[- ]fiverr|pay|paying|paid|payment|payments|e-?mail|paypal|venmo|"
    r"zelle|skype|whatsapp|telegram|phone)\b"
)
_OFF_PLATFORM = re.compile(
    r"(?i)\b(outside (?:of )?(?:the )?(?:platform|upwork|freelancer|peopleperhour|site)|off[- ]platform|"
    r"e-?mail me|my e-?mail|whatsapp|telegram|skype|call me|text me|paypal|venmo|zelle|bank transfer|"
    r"pay (?:me )?directly|direct payment)\b"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
_REVIEWS = re.compile(
    r"(?i)\b(reviews?|reviewed|ratings?|rated|stars?|[1-5][- ]?stars?|one[- ]star|five[- ]star|"
    r"success score|feedback score|testimonial)\b"
)
_THREATS = re.compile(
    r"(?i)\b(or else|legal action|lawyers?|attorneys?|sue|suing|court|report you|i will report|"
    r"i'll report|you will regret|you'll regret|consequences|blacklist|expose you|last warning|"
    r"leave (?:you )?(?:a )?(?:bad|negative|1|one)[- ]?(?:star|review)|chargeback you|ban you)\b"
)
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Matching lowercased text without IGNORECASE finds the same phrases 2-3x faster. It is exact
# unless lowering changes the length (e.g. U+0130) or the text holds one of the two letters that
# IGNORECASE folds to an ASCII letter but lower() leaves alone (U+0131 dotless i, U+017F long s).
_FOLDS_APART = re.compile("[\u0131\u017f]")
_LOWERED: dict[re.Pattern[str], re.Pattern[str]] = {}


def _lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern for lowercased text: ``(?i)`` dropped, its letters already lowercase."""
    found = _LOWERED.get(pattern)
    if found is None:
        found = _LOWERED[pattern] = re.compile(pattern.pattern.removeprefix("(?i)"))
    return found


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    """Each phrase ``pattern`` matches, once (case-insensitively), as written in ``text``."""
    if pattern.flags & re.IGNORECASE:
        lowered = text.lower()
        if len(lowered) == len(text) and not _FOLDS_APART.search(text):
            matches = [text[m.start() : m.end()] for m in _lowered(pattern).finditer(lowered)]
        else:
            matches = [m.group(0) for m in pattern.finditer(text)]
    else:
        matches = [m.group(0) for m in pattern.finditer(text)]
    seen: list[str] = []
    for phrase in matches:
        if phrase.lower() not in (item.lower() for item in seen):
            seen.append(phrase)
    return seen


def _emails(text: str) -> list[str]:
    # Without an "@" there is no address, and the pattern would try every run of word characters.
    return _found(_EMAIL, text) if "@" in text else []


def _phones(text: str) -> list[str]:
    cleaned = _DATE_LIKE.sub(" ", text)
    return [match for match in _found(_PHONE, cleaned) if sum(ch.isdigit() for ch in match) >= 8]


def check_wording(text: str, *, platform: str, audience: str) -> list[WordingWarning]:
    """Warnings for a text the seller is about to send to ``audience`` on ``platform``.

    Fiverr's held words apply to buyer and public texts on Fiverr; review/star talk and threats to
    buyer texts (threats also to public ones); off-platform contact or payment to marketplace buyer
    and public texts.
    """
    warnings: list[WordingWarning] = []
    faces_buyer = audience in {"buyer", "public"}
    if platform == "fiverr" and faces_buyer:
        warnings += [
            WordingWarning("fiverr_held", phrase, "Fiverr may hold the message for review (up to a day)")
            for phrase in _found(_FIVERR_HELD, text)
        ]
    if platform in MARKETPLACES and faces_buyer:
        contacts = _found(_OFF_PLATFORM, text) + _emails(text) + _phones(text)
        already = {warning.phrase.lower() for warning in warnings}
        warnings += [
            WordingWarning("off_platform", phrase, "off-platform contact or payment breaks the rules")
            for phrase in contacts
            if phrase.lower() not in already
        ]
    if audience == "buyer":
        warnings += [
            WordingWarning("reviews", phrase, "never mention reviews or stars to a buyer")
            for phrase in _found(_REVIEWS, text)
        ]
    if faces_buyer:
        warnings += [WordingWarning("threat", phrase, "reads as a threat") for phrase in _found(_THREATS, text)]
    return warnings


def off_platform_phrases(text: str) -> list[str]:
    """Requests to move contact or payment off the platform (phone, WhatsApp, email, direct payment)."""
    found = _found(_OFF_PLATFORM, text) + _emails(text) + _phones(text)
    return [phrase for n, phrase in enumerate(found) if phrase.lower() not in (p.lower() for p in found[:n])]


def review_phrases(text: str) -> list[str]:
    """Review, rating or star talk in a text."""
    return _found(_REVIEWS, text)


def buyer_threats(text: str) -> list[str]:
    """Review leverage or threats in the buyer's own words (to quote to support)."""
    return _found(_THREATS, text) + [p for p in _found(_REVIEWS, text) if p.lower() not in {"review", "reviewed"}]
