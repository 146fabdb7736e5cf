"""Custom ids of quick-reply controls and forms: ``rp:<id>:<action>[:<argument>]``, ≤ 100 chars.

``<id>`` is a saved draft (``reply_drafts``) for every action but ``delete`` / ``keep``, where it is
the template. Everything a click needs is in the id or the database, so clicks and forms keep
working after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.control_ids import Control, ControlScheme

SCHEME = ControlScheme("rp", argument_chars=r"\w\-")
PATTERN = SCHEME.pattern

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
class ReplyControl(Control):
    scheme = SCHEME


def parse_reply_control(custom_id: str) -> ReplyControl | None:
    return ReplyControl.parse(custom_id)
