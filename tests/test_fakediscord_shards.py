"""The fake Discord shards as Discord does: two bare discord.py clients split two shards between them."""

from __future__ import annotations

import asyncio

import discord
import pytest

from tests.fakediscord import FakeDiscord, running_bot
from tests.fakediscord.gateway import shard_of

pytestmark = pytest.mark.timeout(60)


class ShardBot(discord.AutoShardedClient):
    """Answers /where with the shard that received the interaction."""

    def __init__(self, shard_ids: list[int], shard_count: int) -> None:
        super().__init__(
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            shard_ids=shard_ids,
            shard_count=shard_count,
        )
        self.tree = discord.app_commands.CommandTree(self)
        self.seen: list[tuple[int | None, int | None]] = []

    async def setup_hook(self) -> None:
        @self.tree.command(description="Name the shard that got this.")
        @discord.app_commands.allowed_contexts(guilds=True, dms=True)
        async def where(interaction: discord.Interaction) -> None:
            shard = interaction.guild.shard_id if interaction.guild else 0
            self.seen.append((interaction.guild_id, shard))
            await interaction.response.send_message(f"shard {shard} of {self.shard_ids}")

        if 0 in (self.shard_ids or []):
            await self.tree.sync()


def test_shard_rule_is_discords() -> None:
    assert shard_of(None, 4) == 0
    assert shard_of(175928847299117063, 4) == (175928847299117063 >> 22) % 4
    assert shard_of(5 << 22, 4) == 1


async def test_two_clients_split_the_shards_and_each_gets_its_own_traffic(sharded_fake_discord: FakeDiscord) -> None:
    fake = sharded_fake_discord
    on_zero, on_one = fake.add_guild("Zero", shard=0), fake.add_guild("One", shard=1)
    alice = fake.add_user("alice")
    first, second = ShardBot([0], 2), ShardBot([1], 2)
    async with running_bot(first, fake), running_bot(second, fake):
        await fake.wait_ready()
        identifies = [e.d["shard"] for e in fake.gateway.events if e.direction == "recv" and e.op == 2]
        assert sorted(identifies) == [[0, 2], [1, 2]]
        readies = {e.d["shard"][0]: e.d for e in fake.gateway.events if e.t == "READY"}
        assert [g["id"] for g in readies[0]["guilds"]] == [str(on_zero.id)]
        assert [g["id"] for g in readies[1]["guilds"]] == [str(on_one.id)]
        assert first.get_guild(on_zero.id) is not None and first.get_guild(on_one.id) is None
        assert second.get_guild(on_one.id) is not None and second.get_guild(on_zero.id) is None

        sent = [
            await fake.slash("where", user=alice, guild=on_zero),
            await fake.slash("where", user=alice, guild=on_one),
            await fake.slash("where", user=alice, dm=True),
        ]
        answers = [await interaction.response() for interaction in sent]
        assert [a.data["content"] for a in answers] == ["shard 0 of [0]", "shard 1 of [1]", "shard 0 of [0]"]
        assert first.seen == [(on_zero.id, 0), (None, 0)]
        assert second.seen == [(on_one.id, 1)]
        assert fake.sync_count == 1


async def test_identify_without_a_shard_is_refused_when_sharding_is_required(sharded_fake_discord: FakeDiscord) -> None:
    fake = sharded_fake_discord
    client = discord.Client(intents=discord.Intents.none())  # no shard pair: Discord closes with 4011
    with pytest.raises(discord.ConnectionClosed) as closed:
        await asyncio.wait_for(client.start(fake.token), 30)
    assert closed.value.code == 4011
    await client.close()


async def test_a_dropped_shard_resumes_and_the_other_is_untouched(sharded_fake_discord: FakeDiscord) -> None:
    fake = sharded_fake_discord
    on_one = fake.add_guild("One", shard=1)
    alice = fake.add_user("alice")
    bot = ShardBot([0, 1], 2)
    async with running_bot(bot, fake):
        zero_before = fake.gateway.shards[0].current
        await fake.gateway_fault("drop", shard=1)
        answer = await fake.slash("where", user=alice, guild=on_one)  # kept for replay
        assert (await answer.response()).data["content"] == "shard 1 of [0, 1]"
        await fake.wait_ready()
        assert fake.gateway.resume_count == 1 and fake.gateway.identify_count == 2
        assert fake.gateway.shards[0].current is zero_before
