"""The oversight tests' world (tests.oversight.scenario.build_world), built once per test module that asks for it."""

from __future__ import annotations

from tests.module_data import module_data
from tests.oversight.scenario import build_world

# Built once for the module (tests/module_data.py); each test reads a fresh copy as ``world``. A module needing a
# world of its own (a register of one policy, an empty one) defines ``world`` itself.
built_world, world = module_data(build_world, name="built_world", copy="world")
