"""/dispute: the private, restart-proof wizard that ends in copy-ready drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.dispute._cog import DisputeCog

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    await bot.add_cog(DisputeCog(bot))
