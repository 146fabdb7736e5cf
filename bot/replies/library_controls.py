"""Custom ids of server-library controls and forms: ``lb:<id>:<action>[:<argument>]``, ≤ 100 chars.

``<id>`` is a server template, a suggestion, or 0 (a new template, an import); ``<argument>`` is
the version the curator saw (so a later click still detects a conflict) or an import's dry-run
fingerprint. Everything else a click needs is in the database or on the message it is on.
"""

from __future__ import annotations

from bot.control_ids import ControlScheme

SCHEME = ControlScheme("lb", argument_chars=r"\w\-")
PATTERN = SCHEME.pattern

# Forms (modal submits)
ADD_FORM = "add"  # id 0
EDIT_FORM = "edit"  # id = template, argument = base version
SUGGEST_FORM = "suggest"  # id = the server template it edits, or 0
REJECT_FORM = "reject"  # id = suggestion
# Buttons
OVERWRITE = "overwrite"  # id = template, argument = the version the conflict showed
MERGE = "merge"  # id = template, argument = the version the conflict showed: reopen the form
DELETE_OK = "delete"  # id = template, argument = version
APPROVE = "approve"  # id = suggestion
REJECT = "reject_ask"  # id = suggestion: open the reason form
IMPORT_OK = "import"  # id 0, argument = "<digest>-<keep|replace>"
SUGGEST_MINE = "suggest_mine"  # id = the member's personal template: open the suggestion form with it
CANCEL = "cancel"
FORMS = (ADD_FORM, EDIT_FORM, SUGGEST_FORM, REJECT_FORM)


def control_id(number: int, action: str, argument: str = "") -> str:
    return SCHEME.format(number, action, argument)
