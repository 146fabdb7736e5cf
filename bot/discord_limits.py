"""What Discord allows in one message, form or control, written once; and the one way text is cut to fit.

Discord-free on purpose: the engine, the quick-reply data checks and the cogs all size text to these.
"""

from __future__ import annotations

MESSAGE_LIMIT = 2000  # characters of one message's content
MODAL_FIELDS = 5  # top-level items (inputs) of one modal
CUSTOM_ID_MAX = 100  # characters of a control's or a modal's custom id
SELECT_OPTIONS = 25  # options of one select, choices of one autocomplete
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELDS = 25
EMBEDS_TOTAL_LIMIT = 6000  # characters of every embed of one message together


def fit(text: str, limit: int, *, at_boundary: bool = True) -> str:
    """``text`` when it fits in ``limit`` characters, else cut with an ellipsis.

    By default the cut falls at a line or word boundary in the second half (read as prose);
    ``at_boundary=False`` cuts at the limit exactly (names, labels and copy-ready text).
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not at_boundary:
        return cut + "…"
    for boundary in ("\n", " "):
        index = cut.rfind(boundary)
        if index > limit // 2:
            cut = cut[:index]
            break
    return cut.rstrip() + "…"
