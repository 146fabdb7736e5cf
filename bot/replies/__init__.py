"""Quick replies without Discord: the built-in library, filling templates, and suggestions."""

from bot.replies.fill import (
    PROFILE_FIELDS,
    Resolution,
    parse_value,
    render_resolution,
    render_resolution_async,
    resolve,
)
from bot.replies.library import LIBRARY_DIR, Library, LibraryError, load_library, parse_template
from bot.replies.model import ReplyTemplate, TemplateVariable
from bot.tones import TONES

__all__ = [
    "LIBRARY_DIR",
    "PROFILE_FIELDS",
    "TONES",
    "Library",
    "LibraryError",
    "ReplyTemplate",
    "Resolution",
    "TemplateVariable",
    "load_library",
    "parse_template",
    "parse_value",
    "render_resolution",
    "render_resolution_async",
    "resolve",
]
