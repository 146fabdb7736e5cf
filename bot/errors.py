"""Domain errors: problems the user can fix. Their message is shown to the user as is."""


class DisputeDeskError(Exception):
    """Base class of every error whose message is safe and useful to show to a user."""


class ConfigError(DisputeDeskError):
    """A setting is missing or invalid."""


class TemplateError(DisputeDeskError):
    """A quick-reply template is invalid, unsafe, or went over a limit.

    ``line`` is the 1-based line in the template source when the problem has one, so authors can
    find it; ``str(error)`` already includes it.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class TemplateLimitError(TemplateError):
    """A render went over a cap: time, memory, loop iterations, value size or output size."""


class TemplateStopped(TemplateLimitError):
    """The sandbox had to stop the render from outside: it ran out of time, memory or CPU.

    Unlike the in-template caps, this costs a worker for the whole time budget, so a stored
    template that does it is quarantined until its author edits it.
    """


class RendererBusy(TemplateLimitError):
    """Too many renders are waiting for a sandbox worker; this one was refused, not queued."""


class RendererStarved(RendererBusy):
    """A render waited too long for the CPU (other work had it), not for its template: try again."""


class MissingVariablesError(TemplateError):
    """Some declared variables have no value yet; ``names`` lists them in declaration order."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        super().__init__("missing values for: " + ", ".join(names))
