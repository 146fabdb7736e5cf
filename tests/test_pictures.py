"""`make pictures` draws the docs' pictures from the real bot's messages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.pictures import capture, write_pictures

SVG = "{http://www.w3.org/2000/svg}"


async def test_pictures_are_drawn_from_the_founding_case(tmp_path: Path) -> None:
    written = write_pictures(tmp_path, await capture())
    assert [path.name for path in written] == ["wizard-first-step.svg", "wizard-step.svg", "outcome.svg", "draft.svg"]
    texts = {}
    for path in written:
        root = ET.parse(path).getroot()  # well-formed SVG
        assert root.tag == f"{SVG}svg"
        texts[path.name] = " ".join(node.text or "" for node in root.iter(f"{SVG}text"))
    assert "Step 1" in texts["wizard-first-step.svg"] and "Cancel" in texts["wizard-first-step.svg"]
    assert "Step 3 of" in texts["wizard-step.svg"]
    assert "Decline the cancellation" in texts["outcome.svg"] and "Evidence to gather" in texts["outcome.svg"]
    assert "<t:" not in texts["outcome.svg"] and "**" not in texts["outcome.svg"]
