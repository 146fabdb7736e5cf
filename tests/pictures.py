"""Pictures for the docs, drawn from what the real bot sends: `make pictures` (or python -m tests.pictures DIR).

The bot runs against the fake Discord; a seller walks the founding case (S1) by clicks; the first
step, a later step, the outcome and an opened draft are drawn as SVG from their recorded payloads.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from bot.client import DisputeBot
from tests.deskbot import desk_bot
from tests.fakediscord import PATIENCE_S, FakeDiscord, FakeMessage
from tests.fakediscord.picture import message_svg
from tests.s1 import S1_NOW, s1_answers
from tests.wizard_driver import answer_step, is_outcome

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "docs" / "images"


def _fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: S1_NOW


async def draw(folder: Path) -> list[Path]:
    """Walk S1 through the real bot and write the pictures into ``folder``; return their paths."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    shots: list[tuple[str, str]] = []

    def shoot(name: str, message: FakeMessage, caption: str) -> None:
        # Drawn at once: the wizard edits this same message in place at the next step.
        shots.append((name, message_svg(message, now=S1_NOW, caption=caption)))

    with tempfile.TemporaryDirectory() as data:
        async with FakeDiscord(interaction_deadline=PATIENCE_S) as fake:
            with fake.patch_discord():
                seller = fake.add_user("seller")
                async with desk_bot(fake, Path(data), prepare=_fixed_clock):
                    started = await fake.slash("dispute start", user=seller, dm=True)
                    message = await started.message()
                    shoot("wizard-first-step.svg", message, "/dispute start — the first question")
                    answers = s1_answers()
                    for _ in range(2):
                        await answer_step(fake, fake.messages[message.id], seller, answers)
                    shoot("wizard-step.svg", fake.messages[message.id], "A later step, edited in place")
                    while not is_outcome(fake.messages[message.id]):
                        await answer_step(fake, fake.messages[message.id], seller, answers)
                    outcome = fake.messages[message.id]
                    shoot("outcome.svg", outcome, "The outcome: options, deadline, evidence, drafts")
                    select = next(cid for cid in outcome.custom_ids() if cid.endswith(":draft"))
                    opened = await fake.select(outcome, select, ["decline_with_path_forward"], user=seller)
                    shoot("draft.svg", await opened.message(), "A draft, ready to copy")
    written = []
    for name, svg in shots:
        path = folder / name
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pictures", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    for path in asyncio.run(draw(args.folder)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
