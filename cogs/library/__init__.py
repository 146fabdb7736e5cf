"""/library (curators), /suggest (members) and /settings: a server's own template library and settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.library._cog import LibraryCog
from cogs.library._settings import SettingsCog

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    await bot.add_cog(LibraryCog(bot))
    await bot.add_cog(SettingsCog(bot))
