"""Domain errors: problems the user can fix. Their message is shown to the user as is."""


class DisputeDeskError(Exception):
    """Base class of every error whose message is safe and useful to show to a user."""


class ConfigError(DisputeDeskError):
    """A setting is missing or invalid."""
