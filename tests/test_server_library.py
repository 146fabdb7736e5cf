"""Server libraries without Discord: curators, versions and conflicts, suggestions, usage, settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.replies import LIBRARY_DIR
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.server_library import (
    NotACurator,
    ServerLibrary,
    ServerLibraryFull,
    TemplateProblems,
    is_curator,
)
from bot.storage import Database
from bot.storage.reply_templates import ReplyTemplateRepository
from bot.storage.server_settings import ServerSettingsRepository
from bot.storage.server_templates import ServerNameTaken, VersionConflict

SHARED = load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 5001, 5002
CURATOR, SECOND_CURATOR, MEMBER = 11, 12, 13


def typed(name: str = "late-payment", body: str = "Hi {{ buyer_name }}, the invoice is due.") -> dict[str, str]:
    return {"name": name, "title": "Late payment reminder", "category": "payments", "body": body}


@pytest.fixture
def library(db: Database) -> ServerLibrary:
    return ServerLibrary(db, SHARED)


def test_curator_rule_is_manage_server_or_the_configured_role() -> None:
    assert is_curator(manage_guild=True, role_ids=[], curator_role_id=None)
    assert is_curator(manage_guild=False, role_ids=[7, 9], curator_role_id=9)
    assert not is_curator(manage_guild=False, role_ids=[7], curator_role_id=9)
    assert not is_curator(manage_guild=False, role_ids=[7], curator_role_id=None)


async def test_require_curator_reads_the_role_from_settings(db: Database, library: ServerLibrary) -> None:
    with pytest.raises(NotACurator):
        await library.require_curator(GUILD, manage_guild=False, role_ids=[77])
    await ServerSettingsRepository(db).update(GUILD, updated_by=CURATOR, now=NOW, curator_role_id=77)
    await library.require_curator(GUILD, manage_guild=False, role_ids=[77])
    with pytest.raises(NotACurator):  # the role counts in its own server only
        await library.require_curator(OTHER_GUILD, manage_guild=False, role_ids=[77])


async def test_every_change_is_a_version_with_author_and_time(library: ServerLibrary) -> None:
    created = await library.create(GUILD, CURATOR, typed(), NOW)
    assert created.version == 1 and created.template.scope == "guild" and created.template.owner_id == GUILD
    edited = await library.edit(
        GUILD, SECOND_CURATOR, created.id, typed(body="Hello {{ buyer_name }}."), base_version=1,
        now=NOW + timedelta(hours=1),
    )  # fmt: skip
    assert edited.version == 2 and edited.template.body == "Hello {{ buyer_name }}."
    rolled = await library.rollback(GUILD, CURATOR, created.id, 1, base_version=2, now=NOW + timedelta(hours=2))
    assert rolled.version == 3 and rolled.template.body == created.template.body
    history = await library.history(GUILD, created.id)
    assert [(v.version, v.action, v.author_id) for v in history] == [
        (1, "create", CURATOR),
        (2, "edit", SECOND_CURATOR),
        (3, "rollback", CURATOR),
    ]
    assert history[1].created_at == "2026-11-30T13:00:00.000Z"
    diff = await library.diff(GUILD, created.id, 1, 2)
    assert "-Hi {{ buyer_name }}, the invoice is due." in diff and "+Hello {{ buyer_name }}." in diff
    assert await library.diff(GUILD, created.id, 1, 3) == ""
    gone = await library.delete(GUILD, CURATOR, created.id, base_version=3, now=NOW)
    assert gone.name == "late-payment"
    assert [v.action for v in await library.history(GUILD, created.id)][-1] == "delete"


async def test_a_stale_save_gets_a_conflict_and_can_overwrite(library: ServerLibrary) -> None:
    created = await library.create(GUILD, CURATOR, typed(), NOW)
    await library.edit(GUILD, CURATOR, created.id, typed(body="First {{ x }}"), base_version=1, now=NOW)
    with pytest.raises(VersionConflict) as conflict:
        await library.edit(GUILD, SECOND_CURATOR, created.id, typed(body="Second"), base_version=1, now=NOW)
    assert (conflict.value.expected, conflict.value.current) == (1, 2)
    saved = await library.edit(
        GUILD, SECOND_CURATOR, created.id, typed(body="Second"), base_version=1, now=NOW, overwrite=True
    )
    assert saved.version == 3
    assert [v.body for v in await library.history(GUILD, created.id)] == [
        created.template.body, "First {{ x }}", "Second"
    ]  # fmt: skip


async def test_two_curators_racing_on_one_template_lose_no_version(tmp_path: Path) -> None:
    """Two connections (as two bot processes would be) save from the same version at the same time."""
    path = tmp_path / "race.sqlite3"
    async with await Database.open(path) as first, await Database.open(path) as second:
        await first.migrate()
        a, b = ServerLibrary(first, SHARED), ServerLibrary(second, SHARED)
        created = await a.create(GUILD, CURATOR, typed(), NOW)
        for round_ in range(10):
            base = (await a.get(GUILD, str(created.id))).version
            results = await asyncio.gather(
                a.edit(GUILD, CURATOR, created.id, typed(body=f"A{round_}"), base_version=base, now=NOW),
                b.edit(GUILD, SECOND_CURATOR, created.id, typed(body=f"B{round_}"), base_version=base, now=NOW),
                return_exceptions=True,
            )
            conflicts = [r for r in results if isinstance(r, VersionConflict)]
            saved = [r for r in results if not isinstance(r, BaseException)]
            assert len(saved) == 1 and len(conflicts) == 1, results
            # The loser merges: saves again from the version it was shown.
            loser = CURATOR if isinstance(results[0], VersionConflict) else SECOND_CURATOR
            await (a if loser == CURATOR else b).edit(
                GUILD, loser, created.id, typed(body=f"merged {round_}"), base_version=conflicts[0].current, now=NOW
            )
        history = await a.history(GUILD, created.id)
        assert [v.version for v in history] == list(range(1, 22))
        current = await a.get(GUILD, str(created.id))
        assert current.version == 21 and current.template.body == history[-1].body == "merged 9"


async def test_checks_are_the_personal_ones_and_name_the_problem(library: ServerLibrary) -> None:
    with pytest.raises(TemplateProblems) as problems:
        await library.create(GUILD, CURATOR, typed(body="{{ ''.__class__ }}"), NOW)
    assert problems.value.problems[0].field == "Body"
    with pytest.raises(TemplateProblems, match="Name"):
        await library.create(GUILD, CURATOR, typed(name="Not a slug!"), NOW)
    await library.create(GUILD, CURATOR, typed(), NOW)
    with pytest.raises(ServerNameTaken):
        await library.create(GUILD, CURATOR, typed(), NOW)


# Passes the lint; the sandbox stops it when it is rendered with sample values (10 × 10 × 100 loops).
LOOP_BOMB = "{% set s = 'abcdefghij' * 10 %}{% for a in s %}{% for b in s %}{{ a }}{% endfor %}{% endfor %}"
LOOP_LIMIT = "with sample values it fails: loops ran more than 1,000 times"


async def test_a_text_that_fails_in_the_sandbox_is_shown_to_the_curator_and_nothing_is_saved(
    library: ServerLibrary,
) -> None:
    """As a personal template: lint, then a render with sample values in the sandbox, before any save."""
    with pytest.raises(TemplateProblems) as refused:
        await library.create(GUILD, CURATOR, typed(body=LOOP_BOMB), NOW)
    (problem,) = refused.value.problems
    assert (problem.field, problem.line) == ("Body", 1) and LOOP_LIMIT in problem.message
    assert await library.templates.list_all(GUILD) == []
    saved = await library.create(GUILD, CURATOR, typed(), NOW)
    with pytest.raises(TemplateProblems, match="the reply is longer than 2,000 characters"):
        await library.edit(GUILD, CURATOR, saved.id, typed(body="{{ 'x' * 1500 }}{{ 'y' * 1500 }}"),
                           base_version=1, now=NOW)  # fmt: skip
    kept = await library.get(GUILD, str(saved.id))
    assert (kept.version, kept.template.body) == (1, saved.template.body)
    # A member's suggestion goes through the same checks.
    with pytest.raises(TemplateProblems, match="loops ran more than 1,000 times"):
        await library.suggest(GUILD, MEMBER, typed(name="spin", body=LOOP_BOMB), NOW)
    assert await library.queue(GUILD) == []


async def test_approving_a_suggestion_that_fails_in_the_sandbox_saves_nothing_and_keeps_it_queued(
    library: ServerLibrary,
) -> None:
    from bot.storage.reply_templates import TemplateRecord

    # Stored as it was suggested (before the sandbox check, say): the approval checks it again.
    record = TemplateRecord("spin", "Spin", "server", "", LOOP_BOMB)
    waiting = await library.templates.add_suggestion(GUILD, MEMBER, record, template_id=None, base_version=None,
                                                     now=NOW)  # fmt: skip
    with pytest.raises(TemplateProblems, match="loops ran more than 1,000 times"):
        await library.approve(GUILD, CURATOR, waiting.id, NOW)
    assert await library.templates.list_all(GUILD) == []
    assert [s.id for s in await library.queue(GUILD)] == [waiting.id]


async def test_the_server_cap_is_named_when_reached(db: Database) -> None:
    library = ServerLibrary(db, SHARED, cap=3)
    for n in range(3):
        await library.create(GUILD, CURATOR, typed(name=f"t{n}"), NOW)
    with pytest.raises(ServerLibraryFull) as full:
        await library.create(GUILD, CURATOR, typed(name="t3"), NOW)
    assert full.value.cap == 3 and "3 templates" in str(full.value)
    await library.create(OTHER_GUILD, CURATOR, typed(name="t3"), NOW)  # per server


async def test_suggestions_are_approved_or_rejected_and_the_outcome_told_once(library: ServerLibrary) -> None:
    new = await library.suggest(GUILD, MEMBER, typed(name="thanks", body="Thanks {{ buyer_name }}!"), NOW)
    existing = await library.create(GUILD, CURATOR, typed(), NOW)
    edit = await library.suggest(GUILD, MEMBER, typed(body="Kindly pay."), NOW, edits="late-payment")
    assert [s.id for s in await library.queue(GUILD)] == [new.id, edit.id]
    _, diff = await library.suggestion_diff(GUILD, edit.id)
    assert "-Hi {{ buyer_name }}, the invoice is due." in diff and "+Kindly pay." in diff
    approved = await library.approve(GUILD, CURATOR, new.id, NOW)
    assert approved.name == "thanks"
    assert (await library.history(GUILD, approved.id))[0].author_id == MEMBER
    with pytest.raises(Exception, match="already decided"):
        await library.approve(GUILD, SECOND_CURATOR, new.id, NOW)
    with pytest.raises(Exception, match="reason"):
        await library.reject(GUILD, CURATOR, edit.id, "   ", NOW)
    await library.reject(GUILD, CURATOR, edit.id, "Too blunt for our buyers", NOW)
    assert (await library.get(GUILD, "late-payment")).template.body == existing.template.body
    told = [str(o) for o in await library.outcomes_for(MEMBER)]
    assert told == [
        "Your suggestion `thanks` was approved: it is in this server's library now.",
        "Your suggestion `late-payment` was not accepted. Reason: Too blunt for our buyers",
    ]
    assert await library.outcomes_for(MEMBER) == []
    assert await library.queue(GUILD) == []


async def test_an_edit_suggestion_written_against_an_old_version_conflicts(library: ServerLibrary) -> None:
    created = await library.create(GUILD, CURATOR, typed(), NOW)
    suggestion = await library.suggest(GUILD, MEMBER, typed(body="Kindly pay."), NOW, edits="late-payment")
    await library.edit(GUILD, CURATOR, created.id, typed(body="Curated."), base_version=1, now=NOW)
    with pytest.raises(VersionConflict):
        await library.approve(GUILD, CURATOR, suggestion.id, NOW)
    assert [s.id for s in await library.queue(GUILD)] == [suggestion.id]  # still waiting, nothing lost


async def test_usage_counts_over_7_30_and_all_days_and_stale_templates(db: Database, library: ServerLibrary) -> None:
    old = NOW - timedelta(days=200)
    used = await library.create(GUILD, CURATOR, typed(name="used"), old)
    idle = await library.create(GUILD, CURATOR, typed(name="idle"), old)
    fresh = await library.create(GUILD, CURATOR, typed(name="fresh"), NOW - timedelta(days=10))
    repo = ReplyTemplateRepository(db)
    for days_ago in (1, 3, 20, 100, 150):
        await repo.record_use(MEMBER, used.id, NOW - timedelta(days=days_ago))
    await repo.record_use(CURATOR, used.id, NOW)
    await repo.record_use(MEMBER, idle.id, NOW - timedelta(days=120))
    counts = {c.name: (c.last_7_days, c.last_30_days, c.all_time) for c in await library.usage(GUILD, NOW)}
    assert counts == {"used": (3, 4, 6), "idle": (0, 0, 1), "fresh": (0, 0, 0)}
    assert [t.name for t in await library.stale(GUILD, NOW)] == ["idle"]
    assert fresh.id not in [t.id for t in await library.stale(GUILD, NOW)]


async def test_settings_keep_what_is_not_changed(db: Database) -> None:
    repo = ServerSettingsRepository(db)
    assert (await repo.get(GUILD)).allow_post_here is True
    await repo.update(GUILD, updated_by=CURATOR, now=NOW, curator_role_id=9, feedback_channel_id=44,
                      feedback_channel_kind="forum")  # fmt: skip
    await repo.update(GUILD, updated_by=CURATOR, now=NOW, allow_post_here=False, currency="EUR")
    got = await repo.get(GUILD)
    assert (got.curator_role_id, got.feedback_channel_id, got.feedback_channel_kind) == (9, 44, "forum")
    assert (got.allow_post_here, got.allow_share, got.currency) == (False, True, "EUR")
    assert (await repo.get(OTHER_GUILD)).curator_role_id is None


# -- step 2: every member uses the server's templates ----------------------------------------------
async def test_members_find_server_templates_marked_and_ranked_by_their_own_use(db: Database) -> None:
    from tests.quickreply_fixtures import quick_reply_service

    service = quick_reply_service(db)
    await service.catalog.sync_builtins()
    library = ServerLibrary(db, SHARED)
    late = await library.create(GUILD, CURATOR, typed(body="Hi {{ buyer_name }}, payment reminder."), NOW)
    other = await library.create(
        GUILD, CURATOR, {"name": "payment-plan", "title": "Payment plan offer", "category": "payments",
                         "body": "We can split the payment, {{ buyer_name }}."}, NOW,
    )  # fmt: skip
    found = await service.catalog.autocomplete(MEMBER, GUILD, "payment", NOW)
    names = [name for name, _ in found]
    assert "server · Late payment reminder · late-payment" in names
    assert "server · Payment plan offer · payment-plan" in names
    assert not [
        n for n in await service.catalog.autocomplete(MEMBER, OTHER_GUILD, "payment", NOW) if n[0].startswith("server")
    ]
    assert not [
        n for n in await service.catalog.autocomplete(MEMBER, None, "payment", NOW) if n[0].startswith("server")
    ]
    # The member's own use lifts the one they use.
    repo = ReplyTemplateRepository(db)
    for _ in range(3):
        await repo.record_use(MEMBER, other.id, NOW)
    ranked = [
        value for _, value in await service.catalog.autocomplete(MEMBER, GUILD, "payment", NOW + timedelta(seconds=9))
    ]
    assert ranked.index(str(other.id)) < ranked.index(str(late.id))
    # It fills through the same sandbox as a personal template.
    stored = await service.catalog.find(MEMBER, GUILD, str(late.id))
    step = await service.filling.start(MEMBER, GUILD, stored, tone=None, options={"buyer_name": "Sam"}, now=NOW)
    done = await service.filling.finish(step, MEMBER, NOW)
    assert done.text == "Hi Sam, payment reminder."
    with pytest.raises(Exception, match="No template"):
        await service.catalog.find(MEMBER, OTHER_GUILD, str(late.id))


async def test_draft_a_reply_offers_the_servers_templates_with_their_source(db: Database) -> None:
    from tests.quickreply_fixtures import quick_reply_service

    service = quick_reply_service(db)
    await service.catalog.sync_builtins()
    library = ServerLibrary(db, SHARED)
    await library.create(
        GUILD, CURATOR, {"name": "logo-colours", "title": "Logo colours question", "category": "design",
                         "body": "About the logo colours: {{ buyer_message }}"}, NOW,
    )  # fmt: skip
    words = "Can you change the logo colours to something brighter?"
    in_server = await service.suggestions.suggest_for_message(MEMBER, words, NOW, guild_id=GUILD)
    assert ("server · Logo colours question", "logo-colours", False) in [t[1:] for t in in_server.templates]
    elsewhere = await service.suggestions.suggest_for_message(MEMBER + 1, words, NOW)
    assert "logo-colours" not in [t[2] for t in elsewhere.templates]


async def test_server_search_matches_every_typed_word_like_personal_search_and_sees_changes(db: Database) -> None:
    from bot.storage.reply_templates import search_words, text_relevance

    library = ServerLibrary(db, SHARED)
    words = ["invoice", "late", "refund", "logo", "deadline", "revision", "scope", "payment"]
    for n in range(30):
        body = f"Hi {{{{ buyer_name }}}}, about the {words[n % 8]} and the {words[(n * 3) % 8]}."
        await library.create(GUILD, CURATOR, typed(name=f"t{n}", body=body), NOW)
    repo = ReplyTemplateRepository(db)
    stored = await library.templates.list_all(GUILD)
    for query in ("inv", "late pay", "ref sc", "hi", "t1", "nothing-like-it", "late late"):
        hits = await repo.search(query, user_id=MEMBER, guild_id=GUILD, limit=100, now=NOW)
        found = {h.template.id for h in hits if h.template.scope == "guild"}
        expected = {
            s.id
            for s in stored
            if text_relevance(search_words(query), s.name, s.template.title, s.template.category, s.template.body)
            is not None
        }
        assert found == expected, query
    # An edit is seen at once (the kept copy of the library is refreshed).
    first = stored[0]
    await library.edit(GUILD, CURATOR, first.id, typed(name=first.name, body="Zebra crossing"), base_version=1, now=NOW)
    hits = await repo.search("zebra", user_id=MEMBER, guild_id=GUILD, now=NOW)
    assert [h.template.id for h in hits] == [first.id]


async def test_a_short_server_list_is_the_top_of_the_full_ranking_with_the_members_use(db: Database) -> None:
    """Only the best unused server templates are ranked per keystroke: the cut must not change the list."""
    from bot.storage.reply_templates import search_words, text_relevance, usage_score

    library = ServerLibrary(db, SHARED)
    words = ["invoice", "late", "refund", "logo", "deadline", "revision", "scope", "payment"]
    for n in range(40):
        body = f"Hi {{{{ buyer_name }}}}, about the {words[n % 8]} and the {words[(n * 5) % 8]} {words[n % 3]}."
        form = {**typed(name=f"t{n:02}", body=body), "title": f"{words[(n * 3) % 8]} note"}
        await library.create(GUILD, CURATOR, form, NOW)
    repo = ReplyTemplateRepository(db)
    stored = {s.id: s for s in await library.templates.list_all(GUILD)}
    used = sorted(stored)[5:40:6]
    for n, template_id in enumerate(used):
        for _ in range(n + 1):
            await repo.record_use(MEMBER, template_id, NOW - timedelta(days=n * 7))
    for query in ("", "inv", "late", "re", "logo sc", "pay", "t3"):
        full = await repo.search(query, user_id=MEMBER, guild_id=GUILD, limit=200, now=NOW)
        server = [h for h in full if h.template.scope == "guild"]
        expected = []
        for s in stored.values():
            t = s.template
            relevance = text_relevance(search_words(query), t.name, t.title, t.category, t.body)
            if relevance is not None:
                hit = next((h for h in server if h.template.id == s.id), None)
                assert hit is not None, (query, s.name)
                expected.append((-usage_score(relevance, hit.uses, hit.last_used_at, NOW), t.name))
        assert len(server) == len(expected), query
        if query:
            assert [h.template.name for h in server] == [name for _, name in sorted(expected)], query
        for limit in (3, 10):
            short = await repo.search(query, user_id=MEMBER, guild_id=GUILD, limit=limit, now=NOW)
            assert [h.template.id for h in short] == [h.template.id for h in full[:limit]], (query, limit)


async def test_the_servers_default_platform_and_currency_fill_what_a_profile_lacks(db: Database) -> None:
    from tests.quickreply_fixtures import quick_reply_service

    service = quick_reply_service(db)
    await service.catalog.sync_builtins()
    stored = await service.catalog.find(MEMBER, GUILD, "cancel-accept")
    asked_before = await service.filling.start(MEMBER, GUILD, stored, tone=None, options={}, now=NOW)
    await ServerSettingsRepository(db).update(
        GUILD, updated_by=CURATOR, now=NOW, default_platform="fiverr", currency="EUR"
    )
    in_server = await service.filling.start(MEMBER, GUILD, stored, tone=None, options={}, now=NOW)
    elsewhere = await service.filling.start(MEMBER, None, stored, tone=None, options={}, now=NOW)
    assert "platform" in {v.name for v in asked_before.fields}
    assert "platform" not in {v.name for v in in_server.fields}
    assert "platform" in {v.name for v in elsewhere.fields}
    # A member's own profile still wins over the server's default.
    from bot.storage.profiles import ProfileRepository

    await ProfileRepository(db).update(MEMBER, default_platform="upwork")
    resolved = await service.renders.resolve(service.catalog.template_of(stored), MEMBER, None, {}, NOW, GUILD)
    assert resolved.platform == "upwork"


async def test_an_outcome_that_could_not_be_told_is_told_next_time(library: ServerLibrary) -> None:
    new = await library.suggest(GUILD, MEMBER, typed(name="thanks", body="Thanks {{ buyer_name }}!"), NOW)
    await library.reject(GUILD, CURATOR, new.id, "We have one already", NOW)
    taken = await library.outcomes_for(MEMBER)
    assert [o.suggestion.id for o in taken] == [new.id]
    assert await library.outcomes_for(MEMBER) == []  # taken: a second command does not tell it twice
    await library.untell(taken)  # the follow-up failed
    assert [str(o) for o in await library.outcomes_for(MEMBER)] == [
        "Your suggestion `thanks` was not accepted. Reason: We have one already"
    ]


async def test_search_sees_every_change_written_to_the_library_whoever_wrote_it(db: Database) -> None:
    """The kept copy of a server library is checked against a revision the database raises itself
    (triggers), so a change written by another process, or by plain SQL, is seen on the next keystroke."""
    library = ServerLibrary(db, SHARED)
    repo = ReplyTemplateRepository(db)
    kept = await library.create(GUILD, CURATOR, typed(name="kept", body="About the invoice."), NOW)
    gone = await library.create(GUILD, CURATOR, typed(name="gone", body="About the invoice too."), NOW)

    async def server_names(query: str) -> list[str]:
        hits = await repo.search(query, user_id=MEMBER, guild_id=GUILD, now=NOW)
        return sorted(h.template.name for h in hits if h.template.scope == "guild")

    assert await server_names("invoice") == ["gone", "kept"]
    await db.execute("DELETE FROM reply_templates WHERE id = ?", (gone.id,))
    assert await server_names("invoice") == ["kept"]
    await db.execute("UPDATE reply_templates SET body = 'About the zebra.' WHERE id = ?", (kept.id,))
    assert await server_names("invoice") == [] and await server_names("zebra") == ["kept"]
    await db.execute(
        "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, variables) "
        "VALUES ('guild', ?, 'added', 'Added', '', '', 'A zebra again.', '[]')",
        (GUILD,),
    )
    assert await server_names("zebra") == ["added", "kept"]
    # Another server's change leaves this library's copy alone, and is seen in that server.
    await db.execute(
        "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, variables) "
        "VALUES ('guild', ?, 'theirs', 'Theirs', '', '', 'Their zebra.', '[]')",
        (GUILD + 1,),
    )
    assert await server_names("zebra") == ["added", "kept"]
    theirs = await repo.search("zebra", user_id=MEMBER, guild_id=GUILD + 1, now=NOW)
    assert [h.template.name for h in theirs if h.template.scope == "guild"] == ["theirs"]
