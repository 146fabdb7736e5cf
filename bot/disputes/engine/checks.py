"""`python -m bot check`: validate the flow and the playbooks, and render every draft of every outcome in every tone.

Returns a precise list of problems (empty when all is well). Pure apart from reading the data files.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.conditions import Condition
from bot.disputes.engine.errors import DisputeDeskError, FlowError
from bot.disputes.engine.facts import load_facts
from bot.disputes.engine.flow import Flow, load_flow
from bot.disputes.engine.outcome import AUDIENCES
from bot.disputes.engine.paths import explore, shape_problems
from bot.disputes.engine.planner import prepare
from bot.disputes.engine.platforms import load_platforms
from bot.disputes.engine.playbook import Playbooks, load_playbooks
from bot.disputes.engine.playbook_checks import PathCoverage, Problem, validate_playbooks
from bot.disputes.engine.session import Session
from bot.disputes.engine.wording import check_wording, review_phrases
from bot.rendering import MESSAGE_LIMIT, TEMPLATES_DIR, split_message
from bot.tones import TONES

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Za-z ]*\]|\{\{|\}\}|\{%|None\b|Undefined")
# A bracket in a draft is an instruction left for the seller, except the ids nobody asked ("[order #]").
INSTRUCTION_IN_BRACKETS = re.compile(r"\[(?![a-z]+ #\])[^\]\n]*\]")
REMINDER_WORD_LIMIT = 100


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[str, ...]
    paths: int
    renders: int
    playbook_problems: tuple[Problem, ...] = ()  # also in ``problems``, with their rule


def numbers_in(text: str) -> list[str]:
    """The numbers of a text, in order: tones must keep exactly the same ones."""
    return sorted(_NUMBER.findall(text))


def check_outcomes(
    flow: Flow,
    *,
    now: datetime,
    limit: int | None = None,
    playbooks: Playbooks | None = None,
    dispute_types: Collection[str] | None = None,
    render: bool = True,
) -> CheckReport:
    """Plan every path (of some dispute types only, if given); render every draft in every tone if ``render``."""
    facts = load_facts()
    playbooks = playbooks or load_playbooks()
    platforms = load_platforms()
    coverage = PathCoverage(tuple(option.value for option in flow.by_id["goal"].options))
    walked: set[str] = set()
    # Paths that differ only by the goal plan and render alike unless a playbook condition or a template
    # reads the goal: those are checked once (the goal rule still looks at every goal on each).
    planned: set[tuple[tuple[str, str], ...]] = set()
    goal_free = not _reads_goal(playbooks)
    goal_types = goal_dependent_types(playbooks)
    problems: list[str] = []
    paths = renders = 0
    seen: set[str] = set()
    for answers in explore(
        flow, now=now, dispute_types=dispute_types, every_goal=not goal_free, goal_types=goal_types
    ):
        paths += 1
        if limit is not None and paths > limit:
            break
        dispute_type = str(answers["dispute_type"])
        walked.add(dispute_type)
        case = f"{answers['platform']}/{dispute_type}"
        for problem in shape_problems(flow, answers):
            _add(problems, seen, problem)
        key = tuple(sorted((k, repr(v)) for k, v in answers.items() if k != "goal" or dispute_type in goal_types))
        if goal_free and key in planned:
            continue
        planned.add(key)
        session = Session(flow.version, now, MappingProxyType(answers), tuple(answers))
        try:
            prepared = prepare(flow, session, now=now, facts=facts, playbooks=playbooks, platforms=platforms)
        except Exception as exc:
            _add(problems, seen, f"{case}: planning failed: {exc}")
            continue
        coverage.see(dispute_type, answers, prepared.plan.options, prepared.plan.drafts)
        if not prepared.plan.options or not prepared.plan.drafts:
            _add(problems, seen, f"{case}: no options or no drafts")
        if not render:
            continue
        for spec in prepared.plan.drafts:
            if spec.audience not in AUDIENCES:
                _add(problems, seen, f"{case}: draft {spec.id} has unknown audience {spec.audience!r}")
            numbers: dict[str, list[str]] = {}
            for tone in TONES:
                renders += 1
                try:
                    draft = prepared.render(spec, tone)
                except DisputeDeskError as exc:
                    _add(problems, seen, f"{case}: draft {spec.id} ({tone}): {exc}")
                    continue
                where = f"{case}: draft {spec.id} ({tone})"
                platform = str(answers["platform"])
                for problem in _draft_problems(draft.text, spec.id, spec.audience, platform):
                    _add(problems, seen, f"{where}: {problem}")
                for rule in buyer_draft_problems(
                    draft.text, spec.audience, platform, prepared.context, playbooks.common.seller_only
                ):
                    _add(problems, seen, f"{where}: {rule}")
                numbers[tone] = numbers_in(draft.text)
            if len({tuple(value) for value in numbers.values()}) > 1:
                _add(problems, seen, f"{case}: draft {spec.id}: tones change the numbers: {numbers}")
    found = coverage.finish(playbooks, walked) if limit is None else list(coverage.problems)
    for item in found:
        _add(problems, seen, str(item))
    return CheckReport(tuple(problems), paths, renders, tuple(found))


def _reads_goal(playbooks: Playbooks) -> bool:
    """Whether any draft template, or any playbook condition outside its [values], depends on the goal."""
    if any("goal" in path.read_text(encoding="utf-8") for path in (TEMPLATES_DIR / "drafts").glob("*.j2")):
        return True
    conditions: list[Condition] = []
    for playbook in playbooks.by_type.values():
        conditions += [option.condition for option in playbook.options]
        conditions += [goal.condition for option in playbook.options for goal in option.goals]
        conditions += [draft.condition for draft in playbook.drafts]
        conditions += [deadline.condition for deadline in playbook.deadlines]
    conditions += [
        piece.condition
        for playbook in playbooks.by_type.values()
        for piece in (*playbook.summary, *playbook.evidence, *playbook.caveats, *playbook.warnings)
    ]
    return any("goal" in condition.keys for condition in conditions)


def goal_dependent_types(playbooks: Playbooks) -> frozenset[str]:
    """Types with a [values] entry that reads the goal (e.g. `concessions`): their drafts change with it."""
    return frozenset(
        playbook.type
        for playbook in playbooks.by_type.values()
        if any("goal" in piece.condition.keys for _, text in playbook.values for piece in text)
    )


def _draft_problems(text: str, draft_id: str, audience: str, platform: str) -> Iterable[str]:
    if not text.strip():
        yield "empty"
    found = _PLACEHOLDER.search(text)
    if found:
        yield f"unfilled placeholder {found.group(0)!r}"
    instruction = INSTRUCTION_IN_BRACKETS.search(text)
    if instruction:
        yield (
            f"instruction in brackets {instruction.group(0)!r}: a draft is sent as is; steps for the seller go"
            " in the draft's notes, a missing fact is an optional question"
        )
    if audience in {"buyer", "public"} and len(text) > MESSAGE_LIMIT:
        yield f"{len(text)} chars; a buyer/public draft must fit one message ({MESSAGE_LIMIT})"
    if any(len(part) > MESSAGE_LIMIT for part in split_message(text)):
        yield "does not split into Discord-sized messages"
    for warning in check_wording(text, platform=platform, audience=audience):
        yield f"wording: {warning}"
    if draft_id == "payment_reminder" and len(text.split()) > REMINDER_WORD_LIMIT:
        yield f"{len(text.split())} words, a payment reminder stays under {REMINDER_WORD_LIMIT}"


# Free work promised in a public reply: every future buyer reads it as an offer.
_FREE_WORK = re.compile(r"(?i)\b(at no (?:extra )?cost|free of charge|at no charge|for free|no charge)\b")

# Stock phrases that read as a template or talk down to the reader (principle 9: write like a person).
_STOCK_PHRASES = re.compile(
    r"(?i)\b(felt (?:slow|like|that)|(?:seemed|seems) slow to you|I understand (?:you|your|that you)|"
    r"your frustration|as per|please be advised|rest assured|kindly|any inconvenience|"
    r"do not hesitate|don't hesitate)\b"
)

_CHANGE_INVITATION = re.compile(
    r"(?i)\b(request(?:ing)? (?:a )?changes?|ask(?:ing)? for changes|changes? request|needs? fixing|"
    r"what needs (?:to be )?(?:fixed|changed)|tell me what (?:to|needs to|should) (?:fix|change)|"
    r"specific points|any (?:changes|edits|revisions) you (?:want|need))\b"
)


@dataclass(frozen=True)
class DraftRule:
    """A rule that a buyer-facing draft broke, with the words that broke it."""

    rule: str
    found: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.found!r}"


def buyer_draft_problems(
    text: str, audience: str, platform: str, context: Mapping[str, Any], seller_only: Iterable[str]
) -> list[DraftRule]:
    """What no buyer-facing draft may say, on any path.

    - ``seller-only-amount``: the refund cap or the most the seller would give (a negotiation loses its
      room), unless the same amount is also a figure the draft may state (the offer itself);
    - ``review-talk-on-fiverr``: reviews, ratings or stars to a Fiverr buyer;
    - ``change-invitation-before-auto-release``: inviting changes while a submitted milestone is on its
      way to automatic release (a change request stops it);
    - ``free-work-in-public``: a public reply promising work at no cost (extras are offered privately, priced);
    - ``stock-phrase``: wording that talks down to the reader or reads as a form ("felt slow to you",
      "I understand your frustration", "as per").
    """
    if audience not in {"buyer", "public"}:
        return []
    found: list[DraftRule] = []
    hidden = {name for name in seller_only if isinstance(context.get(name), str)}
    stated = {value for key, value in context.items() if isinstance(value, str) and key not in hidden}
    for name in sorted(hidden):
        value = context[name]
        if value not in stated and re.search(re.escape(value) + r"(?![\d])", text):
            found.append(DraftRule("seller-only-amount", f"{name} {value}"))
    if platform == "fiverr" and audience == "buyer":
        found += [DraftRule("review-talk-on-fiverr", phrase) for phrase in review_phrases(text)]
    if audience == "public":
        found += [DraftRule("free-work-in-public", m.group(0)) for m in _FREE_WORK.finditer(text)]
    found += [DraftRule("stock-phrase", m.group(0)) for m in _STOCK_PHRASES.finditer(text)]
    if audience == "buyer" and context.get("auto_release_running") is True:
        match = _CHANGE_INVITATION.search(text)
        if match:
            found.append(DraftRule("change-invitation-before-auto-release", match.group(0)))
    return found


def run_check(*, now: datetime, limit: int | None = None) -> CheckReport:
    """Validate the flow, the facts, the platforms and the playbooks, then every outcome.

    FlowError problems are reported, not raised.
    """
    try:
        flow = load_flow()
        facts = load_facts()
        platforms = load_platforms()
        playbooks = load_playbooks()
    except FlowError as exc:
        return CheckReport(tuple(exc.problems), 0, 0)
    static = validate_playbooks(playbooks, flow, facts, platforms)
    if static:
        return CheckReport(tuple(str(problem) for problem in static), 0, 0, tuple(static))
    return check_outcomes(flow, now=now, limit=limit, playbooks=playbooks)


def _add(problems: list[str], seen: set[str], problem: str) -> None:
    if problem not in seen:
        seen.add(problem)
        problems.append(problem)
