"""/help and /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.meta._cog import MetaCog

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    await bot.add_cog(MetaCog(bot))
