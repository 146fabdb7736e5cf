"""Sub-commands of `python -m bot`.

Each module in COMMAND_MODULES exposes ``register(subparsers)``; it adds its parsers and sets
``handler`` (``Callable[[argparse.Namespace], int]``, returning the exit code) as a default.
"""

COMMAND_MODULES = (
    "bot.cli.run",
    "bot.cli.db",
    "bot.cli.discord_admin",
    "bot.cli.engine",
    "bot.cli.templates",
    "bot.cli.health",
)
