"""/profile: the seller profile that fills replies and drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.profile._cog import ProfileCog

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    await bot.add_cog(ProfileCog(bot))
