"""Run the fake Discord as a standalone process (for manual runs and subprocess set-ups).

``python -m tests.fakediscord --port 0 --token T --ready-file PATH`` prints and writes a JSON line
with its URLs, token, application id and guild ids, then serves until SIGINT/SIGTERM.
Interactions can only be driven in-process; this mode is for login/sync smoke runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path

from .server import FakeDiscord


async def _serve(args: argparse.Namespace) -> None:
    async with FakeDiscord(
        token=args.token, port=args.port, validate=not args.no_validate
    ) as fake:
        guilds = [fake.add_guild(name) for name in args.guild or ["Test Guild"]]
        info = {
            **fake.env(),
            "api_base_url": fake.api_base_url,
            "gateway_url": fake.gateway_url,
            "token": fake.token,
            "application_id": str(fake.application_id),
            "guild_ids": [str(g.id) for g in guilds],
        }
        line = json.dumps(info)
        print(line, flush=True)
        if args.ready_file:
            await asyncio.to_thread(Path(args.ready_file).write_text, line + "\n", "utf-8")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        for problem in fake.spec_problems:
            print(f"spec problem: {problem}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=None)
    parser.add_argument("--ready-file", default=None)
    parser.add_argument("--guild", action="append", help="a guild the bot is in (repeatable)")
    parser.add_argument("--no-validate", action="store_true")
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
