"""The dispute engine: questionnaire flow, sessions, outcome planning. Pure Python, no Discord, no I/O
beyond reading its own data files once."""
