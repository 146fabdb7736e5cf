"""Draw a message the bot sent (its real payload, as the fake Discord recorded it) as an SVG picture.

An approximation of Discord's dark theme, good enough for the docs to show what a seller sees:
embeds with their colour bar, title, description, fields and footer; buttons and selects.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

WIDTH = 640
PAD = 16
LINE = 19
CHARS_PER_LINE = 78
BACKGROUND, EMBED, TEXT, MUTED, WHITE = "#313338", "#2b2d31", "#dbdee1", "#949ba4", "#f2f3f5"
BUTTON_COLOURS = {1: "#5865f2", 2: "#4e5058", 3: "#248046", 4: "#da373c", 5: "#4e5058"}
_TIMESTAMP = re.compile(r"<t:(\d+)(?::([tTdDfFR]))?>")


def _when(match: re.Match[str], now: datetime) -> str:
    moment = datetime.fromtimestamp(int(match[1]), UTC)
    if match[2] != "R":
        return moment.strftime("%d %b %Y %H:%M UTC")
    hours = round((moment - now).total_seconds() / 3600)
    return f"in {hours} hours" if hours >= 0 else f"{-hours} hours ago"


def plain(text: str, now: datetime) -> str:
    """Discord markdown as it reads on screen: no asterisks or backticks, timestamps written out."""
    text = _TIMESTAMP.sub(lambda m: _when(m, now), text)
    return text.replace("**", "").replace("`", "").replace("\u200b", "")


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.y = PAD

    def text(self, x: int, words: str, *, colour: str = TEXT, size: int = 14, bold: bool = False) -> None:
        weight = ' font-weight="600"' if bold else ""
        self.parts.append(
            f'<text x="{x}" y="{self.y + size}" fill="{colour}" font-size="{size}"{weight}>{escape(words)}</text>'
        )
        self.y += LINE if size >= 14 else LINE - 3

    def paragraph(self, x: int, words: str, width: int, **style: Any) -> None:
        for raw_line in words.split("\n"):
            small = raw_line.lstrip().startswith("-# ")
            line = raw_line.replace("-# ", "", 1) if small else raw_line
            for piece in textwrap.wrap(line, width) or [""]:
                if small:
                    self.text(x, piece, colour=MUTED, size=12)
                else:
                    self.text(x, piece, **style)

    def rect(self, x: int, y: int, w: int, h: int, fill: str, radius: int = 4) -> None:
        self.parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" fill="{fill}"/>')


def _embed(canvas: _Canvas, embed: dict[str, Any], now: datetime) -> None:
    top = canvas.y
    canvas.parts.append("<!--embed-->")
    marker = len(canvas.parts)
    canvas.y += 10
    x, width = PAD + 16, CHARS_PER_LINE - 4
    if embed.get("title"):
        canvas.paragraph(x, plain(embed["title"], now), width, colour=WHITE, bold=True)
        canvas.y += 4
    if embed.get("description"):
        canvas.paragraph(x, plain(embed["description"], now), width)
    for field in embed.get("fields") or []:
        canvas.y += 6
        canvas.paragraph(x, plain(field["name"], now), width, colour=WHITE, bold=True)
        canvas.paragraph(x, plain(field["value"], now), width)
    if (embed.get("footer") or {}).get("text"):
        canvas.y += 6
        canvas.paragraph(x, plain(embed["footer"]["text"], now), width + 10, colour=MUTED, size=12)
    canvas.y += 10
    colour = f"#{int(embed.get('color') or 0x1e1f22):06x}"
    box = (
        f'<rect x="{PAD}" y="{top}" width="{WIDTH - 2 * PAD}" height="{canvas.y - top}" rx="4" fill="{EMBED}"/>'
        f'<rect x="{PAD}" y="{top}" width="4" height="{canvas.y - top}" rx="2" fill="{colour}"/>'
    )
    canvas.parts.insert(marker, box)
    canvas.y += 8


def _components(canvas: _Canvas, rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        x = PAD
        for item in row.get("components") or []:
            if item.get("type") == 2:
                label = item.get("label") or ""
                width = 24 + 7 * len(label)
                fill = BUTTON_COLOURS.get(item.get("style", 2), "#4e5058")
                opacity = ' opacity="0.5"' if item.get("disabled") else ""
                canvas.parts.append(f"<g{opacity}>")
                canvas.rect(x, canvas.y, width, 32, fill)
                canvas.parts.append(
                    f'<text x="{x + width // 2}" y="{canvas.y + 21}" fill="{WHITE}" font-size="13" '
                    f'text-anchor="middle">{escape(label)}</text></g>'
                )
                x += width + 8
            else:  # a select menu
                canvas.rect(x, canvas.y, WIDTH - 2 * PAD, 36, "#1e1f22")
                placeholder = item.get("placeholder") or "Choose…"
                canvas.parts.append(
                    f'<text x="{x + 12}" y="{canvas.y + 23}" fill="{MUTED}" font-size="14">{escape(placeholder)}'
                    f' ▾</text>'
                )
        canvas.y += 42


def message_svg(message: Any, *, now: datetime, caption: str = "") -> str:
    """``message``: a FakeMessage (content, embeds, components) as a standalone SVG document."""
    canvas = _Canvas()
    if caption:
        canvas.text(PAD, caption, colour=MUTED, size=12)
        canvas.y += 4
    if message.content:
        canvas.paragraph(PAD, plain(message.content, now), CHARS_PER_LINE)
        canvas.y += 6
    for embed in message.embeds:
        _embed(canvas, embed, now)
    _components(canvas, message.components)
    height = canvas.y + PAD
    body = "".join(canvas.parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="gg sans, Noto Sans, Helvetica, Arial, sans-serif">'
        f'<rect width="{WIDTH}" height="{height}" fill="{BACKGROUND}"/>{body}</svg>\n'
    )
