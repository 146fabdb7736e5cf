"""Personal templates without Discord: cleaning, checks with line numbers, derived variables."""

from __future__ import annotations

from bot.replies import LIBRARY_DIR, load_library
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.personal import (
    AuthorProblem,
    builtin_record,
    check_draft,
    clean_draft,
    derive_variables,
    infer_type,
    personal_template,
    sample_values,
    variable_names,
    variable_to_dict,
)
from bot.storage.reply_templates import StoredTemplate

SHARED = load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE)


def test_clean_draft_normalises_name_and_category() -> None:
    draft = clean_draft({"name": "  Late Invoice_Nudge ", "title": " Late   invoice ", "body": "Hi\r\n"})
    assert (draft.name, draft.title, draft.category, draft.body) == (
        "late-invoice-nudge",
        "Late invoice",
        "personal",
        "Hi",
    )


def test_variables_are_derived_in_order_of_use_with_types_from_names() -> None:
    body = (
        "{% set total = 3 %}Hi {{ buyer_name }}, {{ rush_fee }} by {{ due_date }} ({{ extra_days }} days)\n"
        "{% for item in items %}{{ loop.index }} {{ item }}{% endfor %} {{ order_link }} {{ total }}"
    )
    assert variable_names(body) == ["buyer_name", "rush_fee", "due_date", "extra_days", "items", "order_link"]
    variables = {v.name: v for v in derive_variables(body, SHARED)}
    assert variables["buyer_name"] == SHARED["buyer_name"]  # the library's label and example
    assert [variables[n].type for n in ("rush_fee", "due_date", "extra_days", "items", "order_link")] == [
        "money", "date", "number", "text", "link",
    ]  # fmt: skip
    assert variables["rush_fee"].label == "Rush fee"
    assert infer_type("invoice_number") == "text" and infer_type("days_left") == "number"


def test_problems_carry_fields_and_lines() -> None:
    draft = clean_draft({"name": "x" * 40, "title": "", "body": "fine\n{{ a.__class__ }}\n@everyone"})
    problems, variables = check_draft(draft, SHARED)
    assert variables == ()
    fields = {(p.field, p.line) for p in problems}
    assert ("Name", None) in fields and ("Title", None) in fields
    assert ("Body", 2) in fields and ("Body", 3) in fields
    assert str(AuthorProblem("Body", "bad", 2)) == "Body line 2: bad"


def test_a_clean_draft_has_no_problems_and_samples_for_every_variable() -> None:
    problems, variables = check_draft(
        clean_draft({"name": "a", "title": "A", "body": "{{ fee_amount }} {{ who }}"}), SHARED
    )
    assert problems == []
    assert sample_values(variables) == {"fee_amount": "$150", "who": "[who]"}


def test_builtin_records_index_every_tone_and_stored_templates_convert_back() -> None:
    template = load_library().get("revision-itemised")
    record = builtin_record(template)
    assert all(body in record.body for _, body in template.bodies)
    stored = StoredTemplate(5, "user", 9, "mine", "Mine", "personal", "", "Hi {{ who }}", record.variables)
    converted = personal_template(stored)
    assert converted.variables == template.variables and converted.tones == ("neutral",)


def test_a_shared_count_reaches_a_personal_template_as_a_number_the_author_words() -> None:
    from datetime import date

    from bot.replies import render_resolution, resolve

    body = "{{ extra_days }} days; {{ days_late }} days late"
    variables = derive_variables(body, SHARED)
    stored = StoredTemplate(1, "user", 9, "mine", "Mine", "personal", "", body,
                            tuple(variable_to_dict(v) for v in variables))  # fmt: skip
    template = personal_template(stored)
    text = render_resolution(resolve(template, options={"extra_days": "4", "days_late": "3"}))
    assert text == "4 days; 3 days late"  # not "4 days days"
    with_due = "Due {{ due_date }}, {{ days_late }} days late"
    computed = {v.name: v for v in derive_variables(with_due, SHARED)}
    assert computed["days_late"].computed and not {v.name: v for v in variables}["days_late"].computed
    stored = StoredTemplate(2, "user", 9, "due", "Due", "personal", "", with_due,
                            tuple(variable_to_dict(v) for v in computed.values()))  # fmt: skip
    late = resolve(personal_template(stored), options={"due_date": "2026-11-20"}, today=date(2026, 11, 29))
    assert render_resolution(late) == "Due 20 November 2026, 9 days late"
