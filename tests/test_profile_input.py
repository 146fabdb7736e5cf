"""What sellers type into /profile: accepted cleanly or refused with what is allowed."""

from __future__ import annotations

import pytest

from bot.profile_input import InvalidProfileValue, clean_amount, clean_choice, clean_currency, clean_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("25", "25.00"),
        ("$25", "25.00"),
        ("1,500", "1500.00"),
        ("1.5k", "1500.00"),
        ("€40.5", "40.50"),
        ("30 USD", "30.00"),
    ],
)
def test_amounts_are_read_leniently(typed: str, stored: str) -> None:
    assert clean_amount("Hourly rate", typed) == stored


@pytest.mark.parametrize("typed", ["", "abc", "-5", "0", "1.2.3", "99999999"])
def test_bad_amounts_are_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidProfileValue, match=r"^Hourly rate must be an amount"):
        clean_amount("Hourly rate", typed)


def test_currency_and_choices() -> None:
    assert clean_currency(" eur ") == "EUR"
    with pytest.raises(InvalidProfileValue, match="ISO 4217"):
        clean_currency("euro")
    assert clean_choice("Tone", "firm", {"firm": "Firm"}) == "firm"
    with pytest.raises(InvalidProfileValue, match="one of: firm"):
        clean_choice("Tone", "rude", {"firm": "Firm"})


def test_text_is_collapsed_and_capped() -> None:
    assert clean_text("Name", "  Ana \n Silva ", 80) == "Ana Silva"
    with pytest.raises(InvalidProfileValue, match="at most 5"):
        clean_text("Name", "abcdefg", 5)
    with pytest.raises(InvalidProfileValue, match="can't be empty"):
        clean_text("Name", "   ", 5)
