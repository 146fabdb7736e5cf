"""/privacy: what Dispute Desk stores about you, a copy of it, and deleting all of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.privacy._cog import PrivacyCog

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    await bot.add_cog(PrivacyCog(bot))

