"""Domain errors of the dispute engine."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import DisputeDeskError


class FlowError(DisputeDeskError):
    """The questionnaire or playbook data is invalid (a bug in the data files, found when loading)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class InvalidAnswer(DisputeDeskError):
    """An answer does not fit its question. ``str()`` names the question id and what is allowed."""

    def __init__(self, question_id: str, problem: str, allowed: str = "") -> None:
        self.question_id = question_id
        self.problem = problem
        self.allowed = allowed
        text = f"{question_id}: {problem}" + (f" (allowed: {allowed})" if allowed else "")
        super().__init__(text)


class InvalidAnswers(DisputeDeskError):
    """Several answers are wrong or missing; one ``InvalidAnswer`` per problem."""

    def __init__(self, problems: Sequence[InvalidAnswer]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class SessionError(DisputeDeskError):
    """A session cannot do what was asked (nothing to go back to, unknown question, bad saved state)."""
