"""Fixtures shared by the assessments tests."""

from __future__ import annotations

import pytest

from tests.library.helpers import staff


@pytest.fixture
def reader(people):
    """Territorial Policing staff with no role: not cleared for its OFFICIAL-SENSITIVE material."""
    return staff("reader", people.unit)
