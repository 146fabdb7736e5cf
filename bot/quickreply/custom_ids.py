"""Custom ids of quick-reply controls and forms: ``rp:<id>:<action>[:<argument>]``, ≤ 100 chars.

``<id>`` is a saved draft (``reply_drafts``) for every action but ``delete`` / ``keep``, where it is
the template. Everything a click needs is in the id or the database, so clicks and forms keep
working after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "rp"
MAX_CUSTOM_ID = 100
PATTERN = rf"{PREFIX}:(?P<id>\d+):(?P<action>[a-z_]+)(?::(?P<argument>[\w\-]*))?"
_COMPILED = re.compile(PATTERN)

# Actions. Buttons and selects:
OPEN_PAGE = "page"  # open the fill form of the current page
POST = "post"  # post the finished reply in the channel
PICK_TEMPLATE = "pick"  # "Draft a reply…": a template was chosen
PICK_DISPUTE = "case"  # "Draft a reply…": a dispute type was chosen
AUTHOR_FIX = "fix"  # reopen the create/edit form with what was typed
AUTHOR_SAVE = "save"  # save the previewed personal template
DELETE = "delete"  # delete a personal template (id = template)
KEEP = "keep"  # don't delete it after all
# Forms (modal submits):
FILL_SUBMIT = "fill"  # argument = page number
AUTHOR_SUBMIT = "author"


@dataclass(frozen=True)
class ReplyControl:
    id: int
    action: str
    argument: str = ""

    def __str__(self) -> str:
        text = f"{PREFIX}:{self.id}:{self.action}"
        if self.argument:
            text += f":{self.argument}"
        if len(text) > MAX_CUSTOM_ID or not _COMPILED.fullmatch(text):
            raise ValueError(f"invalid custom id {text!r}")
        return text


def parse_reply_control(custom_id: str) -> ReplyControl | None:
    match = _COMPILED.fullmatch(custom_id)
    if match is None:
        return None
    return ReplyControl(int(match["id"]), match["action"], match["argument"] or "")
