"""The redline page asked for a version the policy does not have (or the person may not see) says so, and what it
compares instead; it never echoes what is not a version number."""

import re

import pytest

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_an_unknown_version_is_named_and_the_comparison_shown_instead_is_said(client, people):
    policy = people.policy(title="Stop and search")
    client.force_login(people.developer)
    response = client.get(f"/policies/{policy.reference}/versions/compare/?from=9.9")
    assert response.status_code == 200
    assert f"{policy.reference} has no version 9.9 that you can see" in text_of(response)
    hostile = client.get(f"/policies/{policy.reference}/versions/compare/?from=%3Cx%3E&to=1.0")
    assert "&lt;x&gt;" not in hostile.content.decode() and "<x>" not in hostile.content.decode()
    assert f"{policy.reference} has no such version that you can see" in text_of(hostile)
    plain = client.get(f"/policies/{policy.reference}/versions/compare/")
    assert "that you can see" not in text_of(plain)
