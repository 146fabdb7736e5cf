"""Quick replies without Discord: the built-in library, filling templates, and suggestions."""

from bot.replies.fill import (
    MODAL_PAGE_SIZE,
    PROFILE_FIELDS,
    Resolution,
    parse_value,
    render_resolution,
    render_resolution_async,
    resolve,
)
from bot.replies.library import LIBRARY_DIR, Library, LibraryError, load_library, parse_template
from bot.replies.model import TONES, ReplyTemplate, TemplateVariable

__all__ = [
    "LIBRARY_DIR",
    "MODAL_PAGE_SIZE",
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
