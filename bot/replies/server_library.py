"""A server's own template library: curated by moderators, suggested to by members, versioned.

Discord-free. Who curates is :func:`is_curator` (Manage Server, or the curator role from
/settings); the cog passes the member's permission and roles as plain values. Every change is a
version (``bot/storage/server_templates.py``); a save names the version it started from and gets
:class:`VersionConflict` when another curator saved first, then merges or overwrites.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.errors import DisputeDeskError, TemplateError
from bot.replies import TemplateVariable
from bot.replies.authoring import render_here, render_problem, render_sample
from bot.replies.fill import AsyncRenderer
from bot.replies.lint_process import TemplateChecker
from bot.replies.personal import AuthorProblem, Draft, clean_draft, clean_slug, personal_record, variable_from_dict
from bot.storage.database import Database
from bot.storage.reply_templates import TemplateRecord
from bot.storage.server_settings import ServerSettingsRepository
from bot.storage.server_templates import (
    ServerTemplate,
    ServerTemplateRepository,
    Suggestion,
    TemplateVersion,
    UsageCounts,
    VersionConflict,
)

MAX_SERVER_TEMPLATES = 500
MAX_PENDING_SUGGESTIONS = 10  # per member and server: the queue stays readable
REASON_MAX = 300
STALE_DAYS = 90
LINT_TIMEOUT_S = 4.0  # the check process may be starting (a busy host); a hostile body still stops here

__all__ = ["MAX_SERVER_TEMPLATES", "ServerLibrary", "VersionConflict", "is_curator"]


def is_curator(*, manage_guild: bool, role_ids: Iterable[int], curator_role_id: int | None) -> bool:
    """Who may change a server's library: Manage Server, or the curator role set in /settings."""
    return manage_guild or (curator_role_id is not None and curator_role_id in set(role_ids))


class NotACurator(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__(
            "Only this server's template curators can do that: members with Manage Server or the curator role "
            "set in `/settings`. You can suggest a template with `/suggest`."
        )


class ServerLibraryFull(DisputeDeskError):
    def __init__(self, cap: int = MAX_SERVER_TEMPLATES) -> None:
        self.cap = cap
        super().__init__(
            f"This server's library has {cap} templates, the most it can hold. Delete an unused one first "
            "(`/library stats` lists the stale ones)."
        )


class TemplateProblems(DisputeDeskError):
    """What an author typed (or a suggestion or an import) does not pass the checks."""

    def __init__(self, problems: Iterable[AuthorProblem], name: str = "") -> None:
        self.problems = tuple(problems)
        where = f"`{name}`: " if name else ""
        super().__init__(f"{where}{'; '.join(str(p) for p in self.problems)}")


class NotFound(DisputeDeskError):
    pass


@dataclass(frozen=True)
class Outcome:
    """A decided suggestion, as told to its author."""

    suggestion: Suggestion

    def __str__(self) -> str:
        s = self.suggestion
        if s.status == "approved":
            return f"Your suggestion `{s.name}` was approved: it is in this server's library now."
        return f"Your suggestion `{s.name}` was not accepted. Reason: {s.reason or 'none given'}"


def diff_text(old: str, new: str, old_label: str = "before", new_label: str = "after") -> str:
    """A unified diff of two template bodies ("" when they are the same)."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=2
    )
    return "\n".join(lines)


def version_text(v: TemplateVersion) -> str:
    """What a version holds, as one text to compare (title and category on top of the body)."""
    return _text(v.title, v.category, v.body)


class ServerLibrary:
    """The use cases behind /library: create, edit, roll back, delete, suggest, approve, stats."""

    def __init__(
        self,
        db: Database,
        shared_variables: Mapping[str, TemplateVariable],
        *,
        cap: int = MAX_SERVER_TEMPLATES,
        lint_timeout_s: float = LINT_TIMEOUT_S,
        checker: TemplateChecker | None = None,
        renderer: AsyncRenderer = render_here,
    ) -> None:
        self.checker = checker or TemplateChecker()
        self.renderer = renderer  # the sandbox a new text is test-rendered in, as a personal template's
        self.templates = ServerTemplateRepository(db)
        self.settings = ServerSettingsRepository(db)
        self.shared = shared_variables
        self.cap = cap
        self.lint_timeout_s = lint_timeout_s

    # -- who -------------------------------------------------------------------------------------
    async def require_curator(self, guild_id: int, *, manage_guild: bool, role_ids: Iterable[int]) -> None:
        settings = await self.settings.get(guild_id)
        if not is_curator(manage_guild=manage_guild, role_ids=role_ids, curator_role_id=settings.curator_role_id):
            raise NotACurator()

    # -- checks ----------------------------------------------------------------------------------
    async def checked(self, typed: Mapping[str, str], today: date | None = None) -> TemplateRecord:
        """The record to save from what was typed; TemplateProblems naming every problem.

        As for a personal template: the lint, then a render with sample values in the sandbox (a
        text that fails there is refused, nothing is saved).
        """
        draft = clean_draft(typed)
        if draft.category == "personal" and not str(typed.get("category", "")).strip():
            draft = Draft(draft.name, draft.title, "server", draft.body)
        problems, variables = await self._check(draft)
        if problems:
            raise TemplateProblems(problems, draft.name)
        await self.preview(draft, variables, today or datetime.now(UTC).date())
        return personal_record(draft, variables)

    async def preview(self, draft: Draft, variables: Sequence[TemplateVariable], today: date) -> str:
        """The checked text rendered with sample values in the sandbox; TemplateProblems when it fails."""
        try:
            return await render_sample(self.renderer, "guild", 0, draft, variables, today)
        except TemplateError as error:
            raise TemplateProblems([render_problem(error)], draft.name) from None

    async def sample(self, saved: ServerTemplate, today: date) -> str:
        """How a saved server template reads with sample values ("" if it no longer renders)."""
        t = saved.template
        variables = tuple(variable_from_dict(v) for v in t.variables)
        try:
            return await self.preview(Draft(t.name, t.title, t.category, t.body), variables, today)
        except TemplateProblems:
            return ""

    async def suggestion_sample(self, suggestion: Suggestion, today: date) -> str:
        """How a suggested text would read with sample values ("" if it does not pass the checks)."""
        draft = Draft(suggestion.name, suggestion.title, suggestion.category, suggestion.body)
        problems, variables = await self._check(draft)
        if problems:
            return ""
        try:
            return await self.preview(draft, variables, today)
        except TemplateProblems:
            return ""

    async def _check(self, draft: Draft) -> tuple[list[AuthorProblem], tuple[TemplateVariable, ...]]:
        try:
            return await self.checker.check(draft, self.shared, self.lint_timeout_s)
        except TimeoutError:
            problem = AuthorProblem("Body", f"checking it took longer than {self.lint_timeout_s:g} s")
            return [problem], ()

    # -- templates -------------------------------------------------------------------------------
    async def get(self, guild_id: int, given: str) -> ServerTemplate:
        """A server template by id or name."""
        given = given.strip()
        found = await self.templates.get(guild_id, int(given)) if given.isdigit() else None
        if found is None:
            found = await self.templates.find(guild_id, clean_slug(given))
        if found is None:
            raise NotFound(f"This server has no template `{given[:50]}`. `/library list` shows them.")
        return found

    async def create(self, guild_id: int, author_id: int, typed: Mapping[str, str], now: datetime) -> ServerTemplate:
        record = await self.checked(typed, now.date())
        saved = await self.templates.create(guild_id, record, author_id=author_id, cap=self.cap, now=now)
        if saved is None:
            raise ServerLibraryFull(self.cap)
        return saved

    async def edit(
        self,
        guild_id: int,
        author_id: int,
        template_id: int,
        typed: Mapping[str, str],
        *,
        base_version: int,
        now: datetime,
        overwrite: bool = False,
    ) -> ServerTemplate:
        """Save a new version; VersionConflict when it moved past ``base_version`` (unless ``overwrite``)."""
        record = await self.checked(typed, now.date())
        if overwrite:
            current = await self.templates.get(guild_id, template_id)
            if current is None:
                raise NotFound("That server template was deleted meanwhile.")
            base_version = current.version
        return await self.templates.save(
            guild_id, template_id, record, base_version=base_version, author_id=author_id, now=now
        )

    async def rollback(
        self, guild_id: int, author_id: int, template_id: int, to_version: int, *, base_version: int, now: datetime
    ) -> ServerTemplate:
        """Bring back an earlier version's text as a new version (the history keeps everything)."""
        old = await self.templates.version(guild_id, template_id, to_version)
        if old is None or old.action == "delete":
            raise NotFound(f"Version {to_version} of this template doesn't exist; `/library history` lists them.")
        typed = {"name": old.name, "title": old.title, "category": old.category, "body": old.body}
        record = await self.checked(typed, now.date())
        return await self.templates.save(
            guild_id, template_id, record, base_version=base_version, author_id=author_id, now=now, action="rollback"
        )

    async def delete(
        self, guild_id: int, author_id: int, template_id: int, *, base_version: int, now: datetime
    ) -> ServerTemplate:
        return await self.templates.delete(
            guild_id, template_id, base_version=base_version, author_id=author_id, now=now
        )

    async def history(self, guild_id: int, template_id: int) -> list[TemplateVersion]:
        return await self.templates.history(guild_id, template_id)

    async def diff(self, guild_id: int, template_id: int, old: int, new: int) -> str:
        """The change from version ``old`` to version ``new``."""
        first = await self.templates.version(guild_id, template_id, old)
        second = await self.templates.version(guild_id, template_id, new)
        if first is None or second is None:
            missing = old if first is None else new
            raise NotFound(f"Version {missing} of this template doesn't exist; `/library history` lists them.")
        return diff_text(version_text(first), version_text(second), f"version {old}", f"version {new}")

    # -- suggestions -----------------------------------------------------------------------------
    async def suggest(
        self, guild_id: int, user_id: int, typed: Mapping[str, str], now: datetime, *, edits: str | None = None
    ) -> Suggestion:
        """A member's new template, or an edit of ``edits`` (a server template), for curators to decide."""
        if await self.templates.count_pending(guild_id, user_id) >= MAX_PENDING_SUGGESTIONS:
            raise DisputeDeskError(
                f"You have {MAX_PENDING_SUGGESTIONS} suggestions waiting for a curator; wait until they are decided."
            )
        record = await self.checked(typed, now.date())
        target = await self.get(guild_id, edits) if edits else None
        if target is None and await self.templates.find(guild_id, record.name) is not None:
            raise DisputeDeskError(
                f"This server already has `{record.name}`: suggest an edit of it, or choose another name."
            )
        return await self.templates.add_suggestion(
            guild_id,
            user_id,
            record,
            template_id=target.id if target else None,
            base_version=target.version if target else None,
            now=now,
        )

    async def queue(self, guild_id: int) -> list[Suggestion]:
        return await self.templates.pending(guild_id)

    async def suggestion_diff(self, guild_id: int, suggestion_id: int) -> tuple[Suggestion, str]:
        """A suggestion and what it changes: against the template it edits, or the whole new text."""
        suggestion = await self._suggestion(guild_id, suggestion_id)
        current = await self.templates.get(guild_id, suggestion.template_id) if suggestion.template_id else None
        before = (
            "" if current is None else _text(current.template.title, current.template.category, current.template.body)
        )
        after = _text(suggestion.title, suggestion.category, suggestion.body)
        return suggestion, diff_text(before, after, "server library", "suggestion")

    async def approve(self, guild_id: int, curator_id: int, suggestion_id: int, now: datetime) -> ServerTemplate:
        """Apply a suggestion (as a version authored by the suggester) and mark it approved."""
        suggestion = await self._suggestion(guild_id, suggestion_id)
        decided = await self.templates.decide(
            guild_id, suggestion_id, "approved", reason=None, curator_id=curator_id, now=now
        )
        if decided is None:
            raise DisputeDeskError("This suggestion was already decided by another curator.")
        typed = {"name": suggestion.name, "title": suggestion.title, "category": suggestion.category,
                 "body": suggestion.body}  # fmt: skip
        try:
            record = await self.checked(typed, now.date())
            if suggestion.template_id is None:
                saved = await self.templates.create(
                    guild_id, record, author_id=suggestion.suggester_id, cap=self.cap, now=now, action="suggestion"
                )
                if saved is None:
                    raise ServerLibraryFull(self.cap)
                return saved
            return await self.templates.save(
                guild_id,
                suggestion.template_id,
                record,
                base_version=suggestion.base_version or 0,
                author_id=suggestion.suggester_id,
                now=now,
                action="suggestion",
            )
        except Exception:
            await self.templates.reopen(guild_id, suggestion_id)
            raise

    async def reject(
        self, guild_id: int, curator_id: int, suggestion_id: int, reason: str, now: datetime
    ) -> Suggestion:
        reason = " ".join(reason.split())[:REASON_MAX]
        if not reason:
            raise DisputeDeskError("Give the member a reason: it is what they are told.")
        await self._suggestion(guild_id, suggestion_id)
        decided = await self.templates.decide(
            guild_id, suggestion_id, "rejected", reason=reason, curator_id=curator_id, now=now
        )
        if decided is None:
            raise DisputeDeskError("This suggestion was already decided by another curator.")
        return decided

    async def outcomes_for(self, user_id: int) -> list[Outcome]:
        """What was decided about the member's suggestions since they were last told (told once)."""
        return [Outcome(s) for s in await self.templates.take_outcomes(user_id)]

    async def untell(self, outcomes: list[Outcome]) -> None:
        """Telling failed: these outcomes are told on the member's next command instead."""
        for outcome in outcomes:
            await self.templates.mark_told(outcome.suggestion.id, told=False)

    async def _suggestion(self, guild_id: int, suggestion_id: int) -> Suggestion:
        found = await self.templates.suggestion(guild_id, suggestion_id)
        if found is None:
            raise NotFound(f"This server has no suggestion #{suggestion_id}; `/library queue` lists them.")
        return found

    # -- usage -----------------------------------------------------------------------------------
    async def usage(self, guild_id: int, now: datetime) -> list[UsageCounts]:
        return await self.templates.usage(guild_id, now)

    async def stale(self, guild_id: int, now: datetime) -> list[ServerTemplate]:
        return await self.templates.stale(guild_id, now, STALE_DAYS)


def _text(title: str, category: str, body: str) -> str:
    return f"title: {title}\ncategory: {category}\n\n{body}"
