"""Share for feedback: the anonymised text a seller previews, edits and posts. Discord-free.

Each method is one whole step of the share controls (load the case, check, anonymise, store), so the
cog makes one call per click; what was previewed is stored with the case and only that is posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.anonymise import Anonymised, anonymise_report
from bot.disputes.wizard.service import WizardService, WizardState
from bot.errors import DisputeDeskError
from bot.storage.profiles import ProfileRepository

#: The post adds a heading; Discord's limit is 2,000.
SHARE_TEXT_MAX = 1_800
NOT_PREVIEWED = "Press **Share for feedback** first."


class ShareService:
    def __init__(self, wizard: WizardService, profiles: ProfileRepository) -> None:
        self.wizard = wizard
        self.profiles = profiles

    async def preview(self, session_id: int, user_id: int, own_names: Iterable[str], now: datetime) -> Anonymised:
        """The case's summary, anonymised and stored as the text a post may carry."""
        state = await self.wizard.load(session_id, user_id)
        outcome = self.wizard.outcome(state, now)
        buyer_words = str(state.session.answers.get("buyer_message") or "")
        text = outcome.summary + (f'\n\nThe buyer wrote: "{buyer_words}"' if buyer_words else "")
        if outcome.recommended is not None:
            text += f"\n\nDispute Desk suggests: {outcome.recommended.title}. What would you do?"
        return await self._store(state, text, own_names, now)

    async def previewed(self, session_id: int, user_id: int) -> str:
        """The text awaiting a post, to edit; refused when no preview was shown."""
        state = await self.wizard.load(session_id, user_id)
        text = self.wizard.share_preview(state)
        if text is None:
            raise DisputeDeskError(NOT_PREVIEWED)
        return text

    async def edit(
        self, session_id: int, user_id: int, edited: str, own_names: Iterable[str], now: datetime
    ) -> Anonymised:
        """The user's edited text, checked and anonymised again, stored in place of the preview."""
        state = await self.wizard.load(session_id, user_id)
        if self.wizard.share_preview(state) is None:
            raise DisputeDeskError(NOT_PREVIEWED)
        edited = edited.strip()
        if not edited:
            raise DisputeDeskError("The text to share is empty; nothing was posted.")
        return await self._store(state, edited[:SHARE_TEXT_MAX], own_names, now)

    async def take(self, session_id: int, user_id: int, now: datetime) -> str:
        """The previewed text, removed so that it is posted at most once."""
        return await self.wizard.take_share_preview(await self.wizard.load(session_id, user_id), now)

    async def _store(self, state: WizardState, text: str, own_names: Iterable[str], now: datetime) -> Anonymised:
        profile = await self.profiles.get(state.user_id)
        names = [n for n in (profile.display_name, *own_names) if n]  # the seller's names are never shared
        report = anonymise_report(text, names)
        await self.wizard.store_share_preview(state, report.text, now)
        return report
