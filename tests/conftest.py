"""Fixtures shared by every test package: the cast of one force, and policies at any point of the cycle."""

from __future__ import annotations

import pytest

from tests.factories import People, advance_to, make_people


@pytest.fixture
def people(db) -> People:
    """Territorial Policing's developer, manager, co-ordinator, Lead and owner; force-wide PCU, DCFD, DOI and
    SHRMT; and Specialist Crime & Operations' Lead (``lead2``), developer and co-ordinator."""
    return make_people()


@pytest.fixture
def policy_in(people):
    """``policy_in("with_lead")``: a new Territorial Policing policy driven to that status through the real
    services. Extra keyword arguments go to ``policy_create``."""

    def make(status: str = "scoping", **overrides):
        return advance_to(people.policy(**overrides), status, people)

    return make
