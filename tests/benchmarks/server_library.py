"""/reply autocomplete with a server library, against today's personal-only search, in one run.

One SQLite file holds the built-ins, 10,000 personal templates (100 sellers × 100, the measured
seller among them), 10,000 servers' libraries (``per_server`` templates each) and the measured
server's full library of 500. The same queries are run, alternated, as

- ``personal_only``: the seller's search outside a server (built-ins and their 100 templates), the
  figure autocomplete had before server libraries;
- ``with_server``: the same seller's search inside the server (plus its 500 templates).

``run()`` returns milliseconds (p50, p95, p99) of both and the ratio at the median (target ≤ 1.2).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.storage import Database
from bot.storage.reply_templates import ReplyTemplateRepository
from tests.benchmarks.autocomplete import NOW, _queries, _record, seed
from tests.benchmarks.stats import summary_ms

TARGET_RATIO = 1.2
MEASURED_USER = 1
MEASURED_GUILD = 900_000


async def seed_servers(path: Path, servers: int, per_server: int, library: int) -> list[str]:
    """Add ``servers`` libraries and the measured server's ``library`` templates; return its titles."""
    rng = random.Random(23)
    titles: list[str] = []
    rows = []
    for guild in range(servers):
        for n in range(per_server):
            record = _record(rng, guild, n)
            rows.append((100_000 + guild, record))
    for n in range(library):
        record = _record(rng, MEASURED_GUILD, n)
        rows.append((MEASURED_GUILD, record))
        titles.append(record.title)
    async with await Database.open(path) as db:
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, "
                "variables) VALUES ('guild', ?, ?, ?, ?, ?, ?, '[]')",
                [(g, r.name, r.title, r.category, r.description, r.body) for g, r in rows],
            )
        repo = ReplyTemplateRepository(db)
        visible = await repo.search("", user_id=MEASURED_USER, guild_id=MEASURED_GUILD, limit=700, now=NOW)
        for hit in rng.sample(visible, min(40, len(visible))):
            await repo.record_use(MEASURED_USER, hit.template.id, NOW)
    return titles


async def run(
    personal: int = 10_000, servers: int = 10_000, per_server: int = 10, library: int = 500, queries: int = 200
) -> dict[str, Any]:
    rng = random.Random(31)
    with tempfile.TemporaryDirectory(prefix="dd-server-library-") as folder:
        path = Path(folder) / "library.sqlite3"
        started = time.perf_counter()
        titles = await seed(path, personal, MEASURED_USER)
        titles += await seed_servers(path, servers, per_server, library)
        seeded_s = time.perf_counter() - started
        asked = _queries(rng, titles, queries)
        alone: list[float] = []
        with_server: list[float] = []
        async with await Database.open(path) as db:
            repo = ReplyTemplateRepository(db)
            for guild in (None, MEASURED_GUILD):  # warm both paths
                await repo.search("warm", user_id=MEASURED_USER, guild_id=guild, now=NOW)
            for query in asked:
                for guild, samples in ((None, alone), (MEASURED_GUILD, with_server)):
                    began = time.perf_counter()
                    hits = await repo.search(query, user_id=MEASURED_USER, guild_id=guild, now=NOW)
                    samples.append(time.perf_counter() - began)
                    assert len(hits) <= 25
        result: dict[str, Any] = {
            "personal_templates": personal,
            "servers": servers,
            "templates_per_server": per_server,
            "server_library": library,
            "queries": queries,
            "seed_s": round(seeded_s, 2),
            "db_mb": round(path.stat().st_size / 1_048_576, 1),
            "personal_only": summary_ms(alone),
            "with_server": summary_ms(with_server),
            "target_ratio": TARGET_RATIO,
        }
        result["ratio_p50"] = round(result["with_server"]["p50_ms"] / max(result["personal_only"]["p50_ms"], 1e-6), 2)
    return result
