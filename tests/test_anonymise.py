"""What a shared case may still say: no names, ids, links or exact amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.anonymise import anonymise, round_amount


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("1487.50", "1500"), ("63", "63"), ("0.5", "0.5"), ("12345", "12000"), ("999", "1000")],
)
def test_round_amount_keeps_two_significant_figures(value: str, rounded: str) -> None:
    assert round_amount(Decimal(value)) == Decimal(rounded)


def test_anonymise_removes_identifying_details() -> None:
    text = (
        "Buyer John Carter (@johnny_c, john@example.com, +1 555 123 4567) on order FO81C2D3E4F5 "
        "https://www.fiverr.com/orders/FO81C2D3E4F5 paid $1,487.50 and used 5 revisions. <@123456789012345678>"
    )
    out = anonymise(text, names=["John Carter", "Ana"])
    for leaked in ("John", "johnny", "example.com", "555", "FO81C2D3E4F5", "fiverr.com", "1,487", "<@"):
        assert leaked not in out
    assert "about $1,500" in out
    assert "5 revisions" in out
    assert "@everyone" not in anonymise("hey @everyone and @here")
