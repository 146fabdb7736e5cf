"""Latency of /reply's template autocomplete over 10,000 templates in a real SQLite file.

``run(templates=10_000, queries=200)`` returns milliseconds (p50, p95, p99) of:

- ``search``: ``ReplyTemplateRepository.search`` (FTS5 prefix match, bm25, re-ranked by the user's
  own usage and recency) for typical things a seller types: one to three word prefixes taken from
  real titles, plus an empty field (most used first);
- ``discord_round_trip``: the same queries as autocomplete interactions through the real bot and
  discord.py against the fake Discord, from INTERACTION_CREATE sent to the choices received.

The file holds the built-in library plus ``templates`` personal templates of 100 users (the
per-user cap), with usage recorded for the measured user. Nothing is printed.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.replies import load_library
from bot.replies.personal import builtin_record
from bot.storage import Database
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord
from tests.benchmarks.stats import summary_ms

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PER_USER = 100
_WORDS = [
    "invoice",
    "reminder",
    "overdue",
    "payment",
    "late",
    "fee",
    "deposit",
    "refund",
    "cancel",
    "order",
    "delivery",
    "revision",
    "scope",
    "extra",
    "quote",
    "milestone",
    "escrow",
    "review",
    "reply",
    "thanks",
    "kickoff",
    "requirements",
    "deadline",
    "extension",
    "logo",
    "website",
    "design",
    "draft",
    "source",
    "files",
    "handover",
    "hosting",
    "domain",
    "support",
    "dispute",
    "chargeback",
    "contract",
    "hourly",
    "estimate",
    "budget",
    "rush",
    "weekend",
    "translation",
    "video",
    "edit",
    "audio",
    "mix",
    "article",
    "copy",
    "banner",
]


def _record(rng: random.Random, user: int, index: int) -> TemplateRecord:
    title_words = rng.sample(_WORDS, 4)
    body_words = [rng.choice(_WORDS) for _ in range(60)]
    return TemplateRecord(
        name=f"{title_words[0]}-{title_words[1]}-{user}-{index}",
        title=" ".join(title_words).capitalize(),
        category=rng.choice(("payments", "delivery", "revisions", "support", "personal")),
        description="",
        body="Hi {{ buyer_name }}, " + " ".join(body_words),
        variables=({"name": "buyer_name", "type": "text", "label": "Buyer's first name"},),
    )


def _queries(rng: random.Random, titles: list[str], count: int) -> list[str]:
    queries = []
    for i in range(count):
        if i % 20 == 0:
            queries.append("")  # the field just opened
            continue
        words = rng.choice(titles).lower().split()[: rng.randint(1, 3)]
        last = words[-1]
        words[-1] = last[: rng.randint(2, len(last))] if len(last) > 2 else last  # still typing
        queries.append(" ".join(words))
    return queries


async def seed(path: Path, templates: int, measured_user: int, seed_value: int = 7) -> list[str]:
    """Write the library and ``templates`` personal templates; return titles to draw queries from."""
    rng = random.Random(seed_value)
    async with await Database.open(path) as db:
        await db.migrate()
        repo = ReplyTemplateRepository(db)
        library = load_library()
        await repo.replace_builtins(builtin_record(t) for t in library)
        titles = [t.title for t in library]
        users = max(1, templates // PER_USER)
        rows = []
        for n in range(templates):
            user = measured_user if n % users == 0 else 10_000 + n % users
            record = _record(rng, user, n)
            rows.append(("user", user, record))
            if user == measured_user:
                titles.append(record.title)
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, "
                "variables) VALUES (?, ?, ?, ?, ?, ?, ?, '[]')",
                [(s, u, r.name, r.title, r.category, r.description, r.body) for s, u, r in rows],
            )
        visible = await repo.search("", user_id=measured_user, limit=200, now=NOW)
        for hit in rng.sample(visible, min(40, len(visible))):
            for _ in range(rng.randint(1, 5)):
                await repo.record_use(measured_user, hit.template.id, NOW)
    return titles


async def _search_timings(path: Path, queries: list[str], user: int) -> list[float]:
    async with await Database.open(path) as db:
        repo = ReplyTemplateRepository(db)
        await repo.search("warm", user_id=user, now=NOW)
        samples = []
        for query in queries:
            started = time.perf_counter()
            hits = await repo.search(query, user_id=user, now=NOW)
            samples.append(time.perf_counter() - started)
            assert len(hits) <= 25
    return samples


async def run(templates: int = 10_000, queries: int = 200, *, through_discord: bool = True) -> dict[str, Any]:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="dd-autocomplete-") as folder:
        directory = Path(folder)
        measured_user = 1
        path = directory / "search.sqlite3"
        started = time.perf_counter()
        titles = await seed(path, templates, measured_user)
        seeded_s = time.perf_counter() - started
        asked = _queries(rng, titles, queries)
        result: dict[str, Any] = {
            "templates": templates,
            "queries": queries,
            "seed_s": round(seeded_s, 2),
            "db_mb": round(path.stat().st_size / 1_048_576, 1),
            "search": summary_ms(await _search_timings(path, asked, measured_user)),
        }
        # The same seller's searches in a file with a tenth of the other sellers' templates: the
        # search reads the seller's visible set first, so the ratio should stay near 1.
        small_path = directory / "small.sqlite3"
        await seed(small_path, max(templates // 10, PER_USER), measured_user)
        result["search_tenth_of_the_file"] = summary_ms(await _search_timings(small_path, asked, measured_user))
        result["search_ratio_p50"] = round(
            result["search"]["p50_ms"] / max(result["search_tenth_of_the_file"]["p50_ms"], 1e-6), 2
        )
        result["target_search_ratio"] = 1.5
        if through_discord:
            bot_dir = directory / "bot"
            bot_dir.mkdir()
            # The bot's own file gets the same number of templates, owned by the fake seller's id.
            samples, most = await _round_trip(bot_dir, templates, asked)
            result["discord_round_trip"] = {**summary_ms(samples), "max_choices": most}
    return result


async def _round_trip(folder: Path, templates: int, queries: list[str]) -> tuple[list[float], int]:
    from tests.deskbot import desk_bot
    from tests.fakediscord import FakeDiscord

    async with FakeDiscord(validate=False) as fake:
        with fake.patch_discord():
            seller = fake.add_user("seller")
            await seed(folder / "desk.sqlite3", templates, seller.id)
            async with desk_bot(fake, folder) as bot:
                # This measures the search round trip, not the per-user autocomplete limit (one
                # seller sends 200 queries back to back here): lift the limit for this bot.
                from bot.ratelimit import Cooldown

                replies = bot.get_cog("Replies")
                replies.catalog.autocomplete_limit = Cooldown("bench", "search", burst=10**9, every_s=1.0)  # type: ignore[attr-defined]
                first = await fake.autocomplete("reply", focused="template", value="", user=seller, dm=True)
                await first.choices()
                samples, most = [], 0
                for query in queries:
                    sent = await fake.autocomplete("reply", focused="template", value=query, user=seller, dm=True)
                    choices = await sent.choices()
                    samples.append(sent.ack_latency)
                    most = max(most, len(choices))
    return samples, most
