"""/reply, the "Draft a reply…" message menu and /templates mine: quick replies, copy-ready."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.replies._cog import RepliesCog

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    await bot.add_cog(RepliesCog(bot))
