"""Finding quick-reply templates: the built-ins in the search table, autocomplete, a template by id or name."""

from __future__ import annotations

from datetime import datetime

from bot.control_ids import parse_row_id
from bot.ratelimit import (
    autocomplete_cooldown,
)
from bot.replies import Library, ReplyTemplate
from bot.replies.personal import (
    builtin_record,
    clean_slug,
    personal_template,
)
from bot.replies.platforms import load_platforms
from bot.replies.service import (
    TemplateNotFound,
    choice_name,
    visible_to,
)
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_templates import AUTOCOMPLETE_LIMIT, ReplyTemplateRepository, StoredTemplate
from bot.storage.server_settings import ServerSettingsRepository


class TemplateCatalog:
    def __init__(
        self,
        templates: ReplyTemplateRepository,
        profiles: ProfileRepository,
        server_settings: ServerSettingsRepository,
        library: Library,
    ) -> None:
        self.templates = templates
        self.profiles = profiles
        self.server_settings = server_settings
        self.library = library
        self.autocomplete_limit = autocomplete_cooldown()

    async def sync_builtins(self) -> None:
        """Copy the built-in library into the search table (one FTS query covers every template)."""
        await self.templates.replace_builtins(builtin_record(t) for t in self.library)

    async def autocomplete(
        self, user_id: int, guild_id: int | None, current: str, now: datetime, platform: str | None = None
    ) -> list[tuple[str, str]]:
        """(choice name ≤ 100, template id) pairs, best first: text match, then the user's own use.

        Built-in replies that don't fit the seller's platform (the ``platform`` option, else the
        profile's) are left out; personal and server templates are always offered. Over the per-user
        search limit the answer is empty (autocomplete cannot show an error).
        """
        if not self.autocomplete_limit.allows(user_id, now):
            return []
        where = await self.platform_of(user_id, platform)
        if where is None and guild_id is not None:
            where = await self.platform_of(user_id, (await self.server_settings.get(guild_id)).default_platform)
        unfit = {t.name for t in self.library if not t.fits(where)}
        hits = await self.templates.search(
            current, user_id=user_id, guild_id=guild_id, now=now, limit=AUTOCOMPLETE_LIMIT + len(unfit)
        )
        fitting = [hit for hit in hits if not (hit.template.scope == "builtin" and hit.template.name in unfit)]
        return [(choice_name(hit.template), str(hit.template.id)) for hit in fitting[:AUTOCOMPLETE_LIMIT]]

    async def platform_of(self, user_id: int, given: str | None = None) -> str | None:
        """The platform key a seller works on now: what they picked, else their profile's."""
        platforms = load_platforms()
        for candidate in (given, (await self.profiles.get(user_id)).default_platform):
            key = platforms.find(candidate) if candidate else None
            if key is not None:
                return key
        return None

    async def own_choices(self, user_id: int, current: str) -> list[tuple[str, str]]:
        needle = current.strip().lower()
        owned = await self.templates.list_owned("user", user_id)
        return [
            (choice_name(t), str(t.id))
            for t in owned
            if needle in t.name or needle in t.title.lower() or needle in t.category
        ][:25]

    async def find(self, user_id: int, guild_id: int | None, given: str) -> StoredTemplate:
        """The template picked in autocomplete (its id) or typed by name, if the user may use it."""
        given = given.strip()
        row_id = parse_row_id(given)
        if row_id is not None:
            stored = await self.templates.get(row_id)
            if stored is not None and visible_to(stored, user_id, guild_id):
                return stored
        else:
            name = clean_slug(given)
            for scope, owner in (("user", user_id), ("guild", guild_id), ("builtin", 0)):
                if owner is None:
                    continue
                found = await self.templates.find_by_name(scope, owner, name)  # type: ignore[arg-type]
                if found is not None:
                    return found
        raise TemplateNotFound(
            f"No template called `{given[:50]}` is available to you. Start typing in the `template` option "
            "and pick one from the list."
        )

    def template_of(self, stored: StoredTemplate) -> ReplyTemplate:
        if stored.scope == "builtin":
            try:
                return self.library.get(stored.name)
            except KeyError:
                pass
        return personal_template(stored)
