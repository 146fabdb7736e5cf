"""The collector settings the bot process applies once it has started (bot.collector).

Each check runs in a fresh interpreter: frozen objects are never collected, so the test process
itself must not be frozen.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bot.collector import YOUNG_THRESHOLD
from tests.botprocess import PROJECT_ROOT

_PROBE = """
import gc, json, weakref
from bot.collector import settle_after_start
class Node: pass
before = gc.get_threshold()
kept = [[n] for n in range(5000)]  # alive at start-up: frozen
node = Node(); node.itself = node; garbage = weakref.ref(node); del node  # a cycle: collected, not frozen
settled = settle_after_start()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "reported": settled.frozen,
                  "thresholds": gc.get_threshold(), "reported_thresholds": settled.thresholds,
                  "garbage_kept": garbage() is not None}))
"""


def _probe() -> dict[str, list[int] | int | bool]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, list[int] | int | bool] = json.loads(done.stdout)
    return result


def test_start_up_objects_are_frozen_and_young_collections_run_less_often() -> None:
    result = _probe()
    frozen = result["frozen"]
    assert isinstance(frozen, int) and frozen >= 5000  # at least the probe's own 5,000 lists
    assert result["reported"] == frozen
    before, after = result["before"], result["thresholds"]
    assert isinstance(before, list) and isinstance(after, list)
    assert after == [YOUNG_THRESHOLD, before[1], before[2]]  # only the young threshold changes
    assert result["reported_thresholds"] == after
    assert result["garbage_kept"] is False  # what was garbage at start-up was collected, not frozen
