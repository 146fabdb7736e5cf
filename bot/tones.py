"""The tones every draft and quick reply comes in, named once."""

from __future__ import annotations

from typing import Literal, get_args

Tone = Literal["friendly", "neutral", "firm"]
TONES: tuple[str, ...] = get_args(Tone)
#: How a tone is shown in a choice list.
TONE_LABELS: dict[str, str] = {tone: tone.capitalize() for tone in TONES}
