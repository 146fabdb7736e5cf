"""Dispute Desk on discord.py's own sharding, against a fake Discord that requires two shards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({}, "shards 0-1 of 2"),  # no settings: as many shards as Discord recommends
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0-1"}, "shards 0-1 of 2"),
    ],
)
async def test_the_bot_runs_the_shards_and_answers_on_each(
    sharded_fake_discord: FakeDiscord, tmp_path: Path, settings: dict[str, str], said: str
) -> None:
    fake = sharded_fake_discord
    guilds = [fake.add_guild("Zero", shard=0), fake.add_guild("One", shard=1)]
    alice = fake.add_user("alice")
    async with desk_bot(fake, tmp_path, **settings) as bot:
        assert sorted(bot.shards) == [0, 1]
        for guild in guilds:
            answer = await (await fake.slash("about", user=alice, guild=guild)).response()
            assert f"This process runs {said}" in answer.data["content"]
        assert {bot.get_guild(g.id).shard_id for g in guilds} == {0, 1}  # type: ignore[union-attr]
    identifies = sorted(e.d["shard"] for e in fake.gateway.events if e.direction == "recv" and e.op == 2)
    assert identifies == [[0, 2], [1, 2]]
