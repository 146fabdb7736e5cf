"""Shared pytest set-up: each feature's fixtures live in a plugin module listed here.

Hypothesis runs the ``quick`` profile by default (the default suite stays fast); set
``HYPOTHESIS_PROFILE=thorough`` (as `make test-thorough` does) for many more examples per property.
"""

import os

from hypothesis import HealthCheck, settings

pytest_plugins: list[str] = [
    "tests.fakediscord.plugin",
    "tests.engine_fixtures",
    "tests.storage_fixtures",
    "tests.quickreply_fixtures",
]

# No per-example deadline: a busy machine must not fail a property; speed is `make bench`'s job.
settings.register_profile("quick", max_examples=40, deadline=None)
settings.register_profile(
    "thorough", max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
