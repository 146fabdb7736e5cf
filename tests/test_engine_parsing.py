from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.disputes.engine.parsing import parse_date, parse_datetime, parse_money, parse_number, parse_yes_no

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1500", "1500.00", None),
        ("1,500", "1500.00", None),
        ("$1500", "1500.00", "USD"),
        ("1.5k", "1500.00", None),
        ("1500 EUR", "1500.00", "EUR"),
        ("€900.50", "900.50", "EUR"),
        ("£ 2,000", "2000.00", "GBP"),
        ("usd 75", "75.00", "USD"),
    ],
)
def test_money(text: str, amount: str, currency: str | None) -> None:
    money = parse_money(text)
    assert money.amount == Decimal(amount)
    assert money.currency == currency


@pytest.mark.parametrize("text", ["", "abc", "-5", "1500 XYZ", "$100 EUR", "1..5"])
def test_money_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text)


def test_numbers() -> None:
    assert parse_number("1,000") == 1000
    assert parse_number("2.5") == 2.5
    with pytest.raises(ValueError):
        parse_number("2.5", integer=True)
    with pytest.raises(ValueError):
        parse_number("five")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27 14:00", datetime(2026, 11, 27, 14, tzinfo=UTC)),
        ("2026-11-27T06:00:00Z", datetime(2026, 11, 27, 6, tzinfo=UTC)),
        ("yesterday 14:00", datetime(2026, 11, 27, 14, tzinfo=UTC)),
        ("30 hours ago", datetime(2026, 11, 27, 6, tzinfo=UTC)),
        ("10 days ago", datetime(2026, 11, 18, 12, tzinfo=UTC)),
        ("in 20 hours", datetime(2026, 11, 29, 8, tzinfo=UTC)),
        ("today 2pm", datetime(2026, 11, 28, 14, tzinfo=UTC)),
        ("now", NOW),
    ],
)
def test_datetimes(text: str, expected: datetime) -> None:
    assert parse_datetime(text, now=NOW) == expected


def test_datetime_with_offset_becomes_utc() -> None:
    assert parse_datetime("2026-11-27T08:00:00+02:00", now=NOW) == datetime(2026, 11, 27, 6, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "soon", "yesterday 25:00", "2026-13-01"])
def test_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text, now=NOW)


def test_dates() -> None:
    assert parse_date("2026-11-14", now=NOW) == date(2026, 11, 14)
    assert parse_date("yesterday", now=NOW) == date(2026, 11, 27)
    assert parse_date("in 1 day", now=NOW) == date(2026, 11, 29)


def test_yes_no() -> None:
    assert parse_yes_no("Yes") is True
    assert parse_yes_no("n") is False
    with pytest.raises(ValueError):
        parse_yes_no("maybe")


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1.500,50 EUR", "1500.50", "EUR"),
        ("99,50 €", "99.50", "EUR"),
        ("1.500.000", "1500000.00", None),
        ("1,5k", "1500.00", None),
        ("1 500", "1500.00", None),
    ],
)
def test_money_with_a_decimal_comma_keeps_its_value(text: str, amount: str, currency: str | None) -> None:
    money = parse_money(text)
    assert money.amount == Decimal(amount)
    assert money.currency == currency


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 Nov 2026 14:00", "2026-11-27T14:00:00+00:00"),
        ("Nov 27, 2026", "2026-11-27T00:00:00+00:00"),
        ("27/11/2026 09:30", "2026-11-27T09:30:00+00:00"),
        ("2026/11/27", "2026-11-27T00:00:00+00:00"),
    ],
)
def test_calendar_dates_with_month_names_or_an_unambiguous_order(text: str, expected: str) -> None:
    from datetime import UTC, datetime

    assert parse_datetime(text, now=datetime(2026, 11, 28, 12, tzinfo=UTC)).isoformat() == expected


def test_an_ambiguous_numeric_date_is_refused_not_guessed() -> None:
    from datetime import UTC, datetime

    from bot.disputes.engine.parsing import AmbiguousDate

    with pytest.raises(AmbiguousDate, match="two different dates"):
        parse_date("03/04/2026", now=datetime(2026, 11, 28, tzinfo=UTC))


@pytest.mark.parametrize("text", ["abc", "lots", "a fair price"])
def test_words_without_a_number_are_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not an amount; write it like 1500"):
        parse_money(text)
def test_a_date_only_answer_to_a_date_time_question_never_gains_a_time() -> None:
    from bot.disputes.engine.answers import parse_answer
    from bot.disputes.engine.context import build_context
    from bot.disputes.engine.facts import load_facts
    from bot.disputes.engine.flow import load_flow
    from bot.disputes.engine.platforms import load_platforms

    flow = load_flow()
    question = flow.question("delivered_at")
    assert question is not None
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_answer(question, "2026-11-10", now=now).value == "2026-11-10"
    assert parse_answer(question, "10 Nov 2026", now=now).value == "2026-11-10"
    assert parse_answer(question, "2026-11-10 16:00", now=now).value == "2026-11-10T16:00:00+00:00"
    answers = {"platform": "upwork", "dispute_type": "cancellation_after_delivery", "delivered_at": "2026-11-10"}
    ctx = build_context(flow, answers, load_facts(), load_platforms(), now)
    assert ctx["delivered_time"] == ctx["delivered_on"] == "10 Nov 2026"
