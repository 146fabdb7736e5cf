"""/privacy: what Dispute Desk stores about you, a copy of it, and deleting all of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.privacy._cog import PrivacyCog
from cogs.privacy._views import ForgetControl

if TYPE_CHECKING:
    from bot.client import DisputeBot


async def setup(bot: DisputeBot) -> None:
    bot.add_dynamic_items(ForgetControl)
    await bot.add_cog(PrivacyCog(bot))


async def teardown(bot: DisputeBot) -> None:
    bot.remove_dynamic_items(ForgetControl)
