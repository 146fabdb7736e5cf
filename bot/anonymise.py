"""Make a case safe to show a community: no names, ids, links or exact amounts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DISCORD_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,32}")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
# Marketplace order ids (FO1234ABCD, #12345678, order 12345678) and any long run of digits.
_ORDER_ID = re.compile(r"#?\b(?:F[OR][A-Z0-9]{6,}|[A-Z]{0,4}\d{6,}[A-Z0-9]*)\b")
_AMOUNT = re.compile(
    r"(?P<pre>[$€£₹]\s?)?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?P<post>\s?(?:USD|EUR|GBP|INR|k)\b)?"
)


def round_amount(value: Decimal) -> Decimal:
    """Two significant figures: 1,487.50 -> 1,500; 63 -> 63; 0.5 -> 0.5."""
    if value == 0:
        return value
    exponent = value.adjusted() - 1
    quantum = Decimal(1).scaleb(exponent)
    return value.quantize(quantum, rounding=ROUND_HALF_UP) if exponent < 0 else (
        (value / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum
    )


def _round_match(match: re.Match[str]) -> str:
    if not (match["pre"] or match["post"]):
        return match[0]  # a bare number (a count of revisions, days): keep it
    value = Decimal(match["num"].replace(",", "") + (match["dec"] or ""))
    rounded = round_amount(value)
    text = f"{rounded:,.0f}" if rounded >= 1 else f"{rounded}"
    return f"about {match['pre'] or ''}{text}{match['post'] or ''}"


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """Remove links, emails, mentions, handles, phone numbers, order ids and the given names; round amounts."""
    text = _URL.sub("[link]", text)
    text = _EMAIL.sub("[email]", text)
    text = _DISCORD_MENTION.sub("[someone]", text)
    text = _HANDLE.sub("[someone]", text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", "[name]", text, flags=re.IGNORECASE)
    text = _ORDER_ID.sub("[order id]", text)
    text = _PHONE.sub("[phone]", text)
    return _AMOUNT.sub(_round_match, text)
