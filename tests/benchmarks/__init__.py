"""Benchmarks (`make bench`): not tests. Each section measures against a baseline of the same run."""
