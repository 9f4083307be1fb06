"""Benchmarks: `python -m bench NAME` prints one JSON line per result. Never part of the test run."""
