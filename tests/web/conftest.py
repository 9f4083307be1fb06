"""The API fixtures shared by tests/web: a database seeded once per module, a fresh app per test."""

from __future__ import annotations

import pytest

from tests.web.api_support import open_centre, seed_database


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database with the demo's users and device tokens (password hashing is slow: once per module)."""
    return seed_database(tmp_path_factory)


@pytest.fixture
def api(settings, clock, seeded, tmp_path):
    """A fresh centre app over a copy of the seeded database, with its device and clerk clients."""
    with open_centre(settings, clock, seeded, tmp_path) as centre:
        yield centre
