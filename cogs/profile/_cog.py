"""View and change the seller profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.profile_input import (
    COMMON_CURRENCIES,
    PLATFORMS,
    clean_amount,
    clean_choice,
    clean_currency,
    clean_text,
)
from bot.storage.profiles import PROFILE_FIELDS, Profile
from bot.tones import TONE_LABELS
from bot.ui import send_private

if TYPE_CHECKING:
    from bot.client import DisputeBot

LABELS = {
    "display_name": "Name",
    "sign_off": "Sign-off",
    "default_platform": "Platform",
    "currency": "Currency",
    "revision_price": "Price of an extra revision",
    "hourly_rate": "Hourly rate",
    "default_tone": "Tone",
}
PLATFORM_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in PLATFORMS.items()]
TONE_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in TONE_LABELS.items()]
FIELD_CHOICES = [app_commands.Choice(name=LABELS[name], value=name) for name in PROFILE_FIELDS]


def describe_profile(profile: Profile) -> str:
    lines = []
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        if name == "default_platform" and value:
            value = PLATFORMS.get(value, value)
        elif name == "default_tone" and value:
            value = TONE_LABELS.get(value, value)
        elif name in ("revision_price", "hourly_rate") and value and profile.currency:
            value = f"{value} {profile.currency}"
        lines.append(f"**{LABELS[name]}**: {discord.utils.escape_markdown(value) if value else '*not set*'}")
    return "\n".join(lines)


class ProfileCog(commands.Cog):
    profile = app_commands.Group(name="profile", description="Your seller profile, used to fill replies and drafts")

    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot
        self.profiles = bot.services.profiles

    @profile.command(name="view")
    async def view(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """Show your seller profile."""
        profile = await self.profiles.get(interaction.user.id)
        await send_private(interaction, f"Your profile (only you see it):\n{describe_profile(profile)}")

    @profile.command(name="set")
    @app_commands.describe(
        name="The name you sign with",
        sign_off="How you close a message, e.g. 'Best regards, Ana'",
        platform="Where you sell most",
        currency="Three-letter code, e.g. USD",
        revision_price="What one extra revision costs, e.g. 25",
        hourly_rate="Your hourly rate, e.g. 40",
        tone="How your drafts should sound",
    )
    @app_commands.choices(platform=PLATFORM_CHOICES, tone=TONE_CHOICES)
    async def set_profile(
        self,
        interaction: discord.Interaction[DisputeBot],
        name: app_commands.Range[str, 1, 80] | None = None,
        sign_off: app_commands.Range[str, 1, 200] | None = None,
        platform: str | None = None,
        currency: app_commands.Range[str, 3, 3] | None = None,
        revision_price: app_commands.Range[str, 1, 20] | None = None,
        hourly_rate: app_commands.Range[str, 1, 20] | None = None,
        tone: str | None = None,
    ) -> None:
        """Change your seller profile (only the fields you fill in)."""
        changes: dict[str, str | None] = {}
        if name is not None:
            changes["display_name"] = clean_text("Name", name, 80)
        if sign_off is not None:
            changes["sign_off"] = clean_text("Sign-off", sign_off, 200)
        if platform is not None:
            changes["default_platform"] = clean_choice("Platform", platform, PLATFORMS)
        if currency is not None:
            changes["currency"] = clean_currency(currency)
        if revision_price is not None:
            changes["revision_price"] = clean_amount("Price of an extra revision", revision_price)
        if hourly_rate is not None:
            changes["hourly_rate"] = clean_amount("Hourly rate", hourly_rate)
        if tone is not None:
            changes["default_tone"] = clean_choice("Tone", tone, TONE_LABELS)
        if not changes:
            await send_private(interaction, "Fill in at least one field, e.g. `/profile set currency:EUR`.")
            return
        profile = await self.profiles.update(interaction.user.id, **changes)
        await send_private(interaction, f"Saved. Your profile now:\n{describe_profile(profile)}")

    @set_profile.autocomplete("currency")
    async def currency_autocomplete(
        self, interaction: discord.Interaction[DisputeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().upper()
        return [app_commands.Choice(name=c, value=c) for c in COMMON_CURRENCIES if c.startswith(typed)][:25]

    @profile.command(name="clear")
    @app_commands.describe(field="The field to forget")
    @app_commands.choices(field=FIELD_CHOICES)
    async def clear(self, interaction: discord.Interaction[DisputeBot], field: str) -> None:
        """Forget one field of your seller profile."""
        if field not in PROFILE_FIELDS:
            await send_private(interaction, "Pick a field from the list.")
            return
        profile = await self.profiles.update(interaction.user.id, **{field: None})
        await send_private(interaction, f"Cleared {LABELS[field]}. Your profile now:\n{describe_profile(profile)}")
