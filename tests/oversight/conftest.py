"""The oversight tests' world (tests.oversight.scenario.build_world), built once per test module that asks for it."""

from __future__ import annotations

import pytest

from tests.factories import fresh_copy
from tests.oversight.scenario import build_world


@pytest.fixture(scope="module")
def built_world(module_people):
    """Built once for the module (tests/conftest.py, module_transaction); what a test changes is rolled back after it.
    A module needing a world of its own (a register of one policy, an empty one) defines ``world`` itself."""
    return build_world(module_people)


@pytest.fixture
def world(built_world, db):
    """A fresh copy of the module's world for one test (``fresh_copy``, as ``TestCase.setUpTestData``)."""
    return fresh_copy(built_world)
