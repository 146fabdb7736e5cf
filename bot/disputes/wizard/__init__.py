"""The /dispute wizard's Discord-free parts: custom ids, modal values, the step model."""
