"""docs/INTEGRATION.md's Python blocks, run in order as one script against a real `patron serve`,
so the guide shows calls that work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from patron_client.outbox.store import OutboxStore

from conftest import RunningPatron

GUIDE = Path(__file__).parents[3] / "docs" / "INTEGRATION.md"
# Blocks at the start of a line; an indented one (the FTPS upload) needs a server it cannot have.
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_guides_examples_run(
    patron: RunningPatron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = patron.backoffice
    office.store("store-12")
    anna = office.contact(email="anna@example.com", externalId="anna-1")
    offer = office.assign(anna, office.active_promotion())
    for name, value in {
        "PATRON_URL": patron.url,
        "PATRON_TOKEN": patron.till_token,
        "STAMP_CARD_ID": office.stamp_card(),
        "POINTS_ID": str(office.point_definition()),
        "CHALLENGE_ID": office.record_challenge(),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)

    blocks = BLOCK.findall(GUIDE.read_text())
    assert len(blocks) >= 10, "the guide's examples were not found"
    script: dict[str, object] = {"__name__": "integration_guide"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"{GUIDE.name} block {number}", "exec"), script)

    assert script["anna"] == anna
    stored = sorted(item["uniqueReceiptId"] for item in office.purchase_history(anna))
    assert stored == ["store-12-till-3-000481", "store-12-till-3-000482"]
    assert [o["redeemed"] for o in office.offers(anna) if o["id"] == offer] == [True]
    counts = OutboxStore(tmp_path / "till-3-outbox.db").counts()
    assert (counts.pending, counts.refused, counts.delivered) == (0, 0, 1)
