"""The wording check on what a seller is about to send: the engine's rules, plus the phrases sellers
really type that they miss (feedback requests, stars, JSS, incentives, other payment apps, spelled
out email addresses). Pure functions; run on every filled reply and every personal template.
"""

from __future__ import annotations

import re

from bot.disputes.engine.wording import MARKETPLACES, WordingWarning, check_wording

_FEEDBACK_ASK = re.compile(
    r"(?i)\b(?:leave|give|write|post|share|send)\b[^.!?\n]{0,25}?\b(?:positive|good|great|nice|excellent|"
    r"5[- ]?star|five[- ]star|glowing|top)\b[^.!?\n]{0,15}?\b(?:feedback|reviews?|ratings?|comments?)\b"
)
_ANY_FEEDBACK_ASK = re.compile(
    r"(?i)\b(?:leave|give|write|post|share|send)\b[^.!?\n]{0,25}?\b(?:feedback|reviews?|ratings?)\b"
)
_STAR_SIGN = re.compile(r"[1-5]\s?[★⭐✩☆]|[★⭐]{1,5}")
_RATE_ME = re.compile(r"(?i)\brate (?:me|us|my work|the (?:order|work|delivery))\b")
_JSS = re.compile(r"(?i)\b(?:JSS|job success(?: score)?|top rated(?: plus)?(?: badge| status)?)\b")
_INCENTIVE = re.compile(
    r"(?i)(?:\b\d{1,3}\s?%|\bdiscount\b|\bbonus\b|\bfree\b|\brefund\b|\boff\b)[^.!?\n]{0,60}?"
    r"\b(?:feedback|reviews?|ratings?|stars?)\b"
    r"|\b(?:feedback|reviews?|ratings?|stars?)\b[^.!?\n]{0,60}?(?:\b\d{1,3}\s?%|\bdiscount\b|\bbonus\b|\bfree\b)"
)
_PAYMENT_APPS = re.compile(
    r"(?i)\b(?:wise|transferwise|payoneer|revolut|cash ?app|western union|moneygram|crypto|bitcoin|btc|usdt|"
    r"binance|skrill|neteller|upi|gcash|zelle|venmo|paypal)\b"
)
_SPELLED_EMAIL = re.compile(
    r"(?i)\b[\w.+-]+\s*(?:\(at\)|\[at\]|\{at\}|\sat\s)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\{dot\}|\sdot\s|\.)\s*"
    r"(?:com|net|org|io|co|me|info|de|uk|in)\b"
)
_EMAIL_PROVIDER = re.compile(r"(?i)\b(?:gmail|yahoo|hotmail|outlook|proton ?mail|icloud|gmx)\b")


def check_reply(text: str, *, platform: str, audience: str) -> list[WordingWarning]:
    """Warnings for a reply the seller is about to send to ``audience`` on ``platform``.

    Everything :func:`bot.disputes.engine.wording.check_wording` finds, and: asking for positive feedback or
    stars, "rate me", JSS talk, a discount or gift tied to feedback (everywhere); asking for any
    feedback on Fiverr (Upwork allows an honest-feedback request without pressure); other payment
    apps and spelled-out email addresses on a marketplace.
    """
    warnings = list(check_wording(text, platform=platform, audience=audience))
    faces_buyer = audience in ("buyer", "public")
    extra: list[WordingWarning] = []
    if audience == "buyer":
        extra += _all("feedback_ask", _FEEDBACK_ASK, text, "asking for good feedback or stars breaks the rules")
        extra += _all("stars", _STAR_SIGN, text, "never mention reviews or stars to a buyer")
        extra += _all("rate_me", _RATE_ME, text, "asking for a rating breaks the rules")
        extra += _all("jss", _JSS, text, "talking about your score pressures the buyer; leave it out")
        extra += _all("incentive", _INCENTIVE, text, "a discount or gift tied to feedback is review manipulation")
        if platform == "fiverr":
            extra += _all("feedback_ask", _ANY_FEEDBACK_ASK, text, "on Fiverr, don't ask for a review at all")
    if platform in MARKETPLACES and faces_buyer:
        extra += _all("off_platform", _PAYMENT_APPS, text, "payment outside the platform breaks the rules")
        extra += _all(
            "off_platform", _SPELLED_EMAIL, text, "an email address, even spelled out, is off-platform contact"
        )
        extra += _all("off_platform", _EMAIL_PROVIDER, text, "an email provider reads as off-platform contact")
    seen = [w.phrase.lower() for w in warnings]
    for warning in extra:
        if not any(warning.phrase.lower() in phrase or phrase in warning.phrase.lower() for phrase in seen):
            warnings.append(warning)
            seen.append(warning.phrase.lower())
    return warnings


def _all(rule: str, pattern: re.Pattern[str], text: str, reason: str) -> list[WordingWarning]:
    return [WordingWarning(rule, match.group(0).strip(), reason) for match in pattern.finditer(text)]
