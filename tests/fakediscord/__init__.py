"""A fake Discord (REST + gateway on 127.0.0.1) for end-to-end tests with the real discord.py."""

from ._model import (
    PATIENCE_S,
    CallbackRecord,
    FakeChannel,
    FakeDiscordError,
    FakeGuild,
    FakeMessage,
    FakeRole,
    FakeUser,
    RecordedFile,
    RecordedRequest,
)
from .runner import fast_bot_settings, running_bot
from .server import FakeDiscord, Fault, SimulatedInteraction
from .spec import SpecNotFoundError, SpecProblem, SpecValidator, find_spec_dir, load_validator

__all__ = [
    "PATIENCE_S",
    "CallbackRecord",
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeGuild",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "Fault",
    "RecordedFile",
    "RecordedRequest",
    "SimulatedInteraction",
    "SpecNotFoundError",
    "SpecProblem",
    "SpecValidator",
    "fast_bot_settings",
    "find_spec_dir",
    "load_validator",
    "running_bot",
]
