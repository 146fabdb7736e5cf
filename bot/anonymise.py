"""Make a case safer to show a community: links, contacts, ids, names it can spot; amounts rounded.

No pattern list catches every name, so this never claims a text is anonymous: ``anonymise_report``
says what it removed, by kind, and lists what it left that may still identify someone (words
with capitals that are not at the start of a sentence), for the user to check and edit before
anything is posted. Invisible and text-direction characters are removed first, so "J\u200bohn" or
"paypal\u200b.me" cannot slip past a pattern, and a reversed run cannot hide what is posted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Zero-width characters, word joiners, the byte-order mark, soft hyphens, and every text-direction
# control and mark (embeddings, overrides, isolates, LRM/RLM/ALM).
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufeff\uffa0]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A bare domain (acme-design.com, paypal.me/x, t.me/x, discord.gg/x) with an optional path.
_DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|net|org|io|co|me|gg|ly|app|dev|biz|info|shop|store|site|online|xyz|ai|uk|us|ca|au|de|fr|es|it|nl"
    r"|in|pk|ng|ph|br|ru|eu|link|page|to|tv|so)\b(?:/[^\s)\]]*)?",
    re.IGNORECASE,
)
_DISCORD_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,32}")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
# "order 48213", "order #A7731", "invoice no. 2026-041", "contract number X1234".
_LABELLED_ID = re.compile(
    r"\b(?P<label>order|invoice|contract|ticket|case|transaction|payment|milestone)"
    r"(?P<gap>\s*(?:#|no\.?|nr\.?|number|id)?\s*:?\s*)(?P<id>#?(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{3,})\b",
    re.IGNORECASE,
)
# Marketplace order ids (FO1234ABCD, fo1234abcd, #12345678) and any long run of digits.
_ORDER_ID = re.compile(r"#?\b(?:F[OR](?=[A-Z]*\d)[A-Z0-9]{6,}|[A-Z]{0,4}\d{6,}[A-Z0-9]*)\b", re.IGNORECASE)
# A company: up to three capitalised words before a legal suffix ("Acme Ltd", "Blue Fox Studio LLC").
_COMPANY = re.compile(
    r"\b(?:[A-Z][\w&'-]*\s+){1,3}(?:Ltd|Limited|Inc|LLC|LLP|GmbH|Corp|Corporation|Co|PLC|SARL|SAS|BV|Pty|AG)\b\.?"
)
# A name after an introduction or a greeting/sign-off: "this is John Smith", "my name is Priya".
_INTRODUCED = re.compile(
    r"\b(?P<lead>(?:[Tt]his is|[Mm]y name is|[Ii] am|I'm|[Hh]i|[Hh]ello|[Dd]ear|[Tt]hanks|[Rr]egards|"
    r"[Cc]heers|[Bb]est)[,:]?\s+)(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\b"
)
_AMOUNT = re.compile(
    r"(?P<pre>[$€£₹]\s?)?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?P<post>\s?(?:USD|EUR|GBP|INR|k|dollars?|euros?|pounds?|bucks|rupees?)\b)?",
    re.IGNORECASE,
)
# Capitalised words that are ordinary at the start of a phrase or are common in cases.
_COMMON_CAPITALISED = frozenset(
    (
        "I", "Hi", "Hello", "Dear", "Thanks", "Thank", "Regards", "Best", "Cheers", "The", "A", "An", "This",
        "That", "It", "We", "You", "He", "She", "They", "My", "Our", "Your", "Please", "Sorry", "Yes", "No", "Ok",
        "OK", "And", "But", "Or", "So", "If", "When", "Then", "Also", "Now", "Today", "Tomorrow", "Monday",
        "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April",
        "May", "June", "July", "August", "September", "October", "November", "December", "Fiverr", "Upwork",
        "Freelancer", "PeoplePerHour", "PayPal", "Stripe", "Discord", "Dispute", "Desk", "Order", "Buyer", "Seller",
        "Support", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon", "Tue",
        "Wed", "Thu", "Fri", "Sat", "Sun", "UTC", "GMT", "USD", "EUR", "GBP", "INR",
    )
)
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)*")


@dataclass(frozen=True)
class Anonymised:
    """The text to share, what was removed (kind -> count) and what the user should check."""

    text: str
    removed: Counter[str] = field(default_factory=Counter)
    #: Words left in the text that may still identify someone (capitalised, not sentence starts).
    check: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the preview: what was removed, and what was not."""
        parts = [f"{count} {kind}{'s' if count > 1 else ''}" for kind, count in sorted(self.removed.items())]
        said = "Removed: " + ", ".join(parts) + "." if parts else "Nothing was recognised to remove."
        if self.check:
            listed = ", ".join(f"“{word}”" for word in self.check[:10])
            said += f" Not removed, check these: {listed}."
        return said + " Patterns miss things: read it, and edit it if anything identifies someone."


def round_amount(value: Decimal) -> Decimal:
    """Two significant figures: 1,487.50 -> 1,500; 63 -> 63; 0.5 -> 0.5."""
    if value == 0:
        return value
    exponent = value.adjusted() - 1
    quantum = Decimal(1).scaleb(exponent)
    return value.quantize(quantum, rounding=ROUND_HALF_UP) if exponent < 0 else (
        (value / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum
    )


def strip_invisible(text: str) -> str:
    """Remove zero-width, joiner, soft-hyphen and text-direction characters."""
    return _INVISIBLE.sub("", text)


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """``anonymise_report(...).text``."""
    return anonymise_report(text, names).text


def anonymise_report(text: str, names: Iterable[str] = ()) -> Anonymised:
    """Remove links, domains, emails, mentions, handles, phones, ids, companies and the names it can
    spot (``names`` and each of their words, introduced names); round amounts; report what it did."""
    removed: Counter[str] = Counter()

    def sub(pattern: re.Pattern[str], replacement: str, kind: str, value: str) -> str:
        new, count = pattern.subn(replacement, value)
        if count:
            removed[kind] += count
        return new

    text = strip_invisible(text)
    text = sub(_URL, "[link]", "link", text)
    text = sub(_EMAIL, "[email]", "email", text)
    text = sub(_DOMAIN, "[link]", "link", text)
    text = sub(_DISCORD_MENTION, "[someone]", "mention", text)
    text = sub(_HANDLE, "[someone]", "handle", text)
    for name in _name_variants(names):
        text = sub(re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE), "[name]", "name", text)
    text = sub(_COMPANY, "[company]", "company", text)
    def introduced(match: re.Match[str]) -> str:
        if match["name"].split()[0] in _COMMON_CAPITALISED:
            return match[0]  # "Best Regards", "Hi There": not a name
        removed["name"] += 1
        return match["lead"] + "[name]"

    text = _INTRODUCED.sub(introduced, text)
    labelled, count = _LABELLED_ID.subn(lambda m: m["label"] + m["gap"] + "[order id]", text)
    if count:
        removed["order id"] += count
        text = labelled
    text = sub(_ORDER_ID, "[order id]", "order id", text)
    text = sub(_PHONE, "[phone]", "phone number", text)
    rounded = [0]

    def round_match(match: re.Match[str]) -> str:
        if not (match["pre"] or match["post"]):
            return match[0]  # a bare number (a count of revisions, days): keep it
        value = Decimal(match["num"].replace(",", "") + (match["dec"] or ""))
        rounded[0] += 1
        shown = round_amount(value)
        number = f"{shown:,.0f}" if shown >= 1 else f"{shown}"
        return f"about {match['pre'] or ''}{number}{match['post'] or ''}"

    text = _AMOUNT.sub(round_match, text)
    if rounded[0]:
        removed["exact amount"] += rounded[0]
    return Anonymised(text, removed, _left_to_check(text))


def _name_variants(names: Iterable[str]) -> list[str]:
    """Each name, and each word of it of two letters or more, longest first."""
    variants: set[str] = set()
    for raw in names:
        name = strip_invisible(raw or "").strip()
        if len(name) >= 2:
            variants.add(name)
            variants.update(word for word in re.split(r"[\s_.-]+", name) if len(word) >= 2)
    return sorted(variants, key=len, reverse=True)


def _left_to_check(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _CAPITALISED_RUN.finditer(text):
        words = [w for w in match[0].split() if w not in _COMMON_CAPITALISED]
        if not words:
            continue
        start = match.start()
        before = text[:start].rstrip()
        at_sentence_start = not before or before[-1] in ".!?:\n\"“>"
        if at_sentence_start and len(words) == 1 and len(match[0].split()) == 1:
            continue  # an ordinary capital at the start of a sentence
        phrase = " ".join(words)
        if phrase not in found:
            found.append(phrase)
    return tuple(found)
