"""Versions that are OFFICIAL-SENSITIVE material though their policy is OFFICIAL now (review of 2026-12-06, LOW): a
version published OFFICIAL-SENSITIVE before a review's downgrade, or a review version withdrawn while the policy was
OFFICIAL-SENSITIVE, is shown only to those cleared, but under the policy's caption "OFFICIAL", with nothing saying what
it is. The versions page tags each, and the compare and revisions pages say to handle it as OFFICIAL-SENSITIVE.

``PolicyVersion.frozen_sensitive`` reads one version's values as ``FROZEN_SENSITIVE`` reads the database: the two
agree here on every version of a policy with each kind."""

from __future__ import annotations

import re

import pytest

from lifecycle.models import PolicyVersion
from lifecycle.selectors import FROZEN_SENSITIVE
from lifecycle.states import ProtectiveMarking
from tests.lifecycle.test_details_downgrade import media_root  # noqa: F401 (a fixture)
from tests.lifecycle.test_withdrawn_cycle_records import downgraded, read  # noqa: F401 (downgraded: a fixture)

pytestmark = pytest.mark.django_db

WARNING = "OFFICIAL-SENSITIVE material: published, or withdrawn, while"


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_property_and_the_query_agree(downgraded):  # noqa: F811
    policy, _ = downgraded
    versions = list(PolicyVersion.objects.filter(policy=policy))
    by_query = set(PolicyVersion.objects.filter(FROZEN_SENSITIVE, policy=policy).values_list("pk", flat=True))
    assert {version.pk for version in versions if version.frozen_sensitive} == by_query
    # 1.0, published OFFICIAL-SENSITIVE; 2.0, withdrawn while it was (submitted proposing OFFICIAL, or not).
    assert sorted(version.number for version in versions if version.frozen_sensitive) == ["1.0", "2.0"]


def test_the_versions_page_tags_them_for_those_cleared(client, downgraded, people):  # noqa: F811
    policy, _ = downgraded
    assert policy.protective_marking == ProtectiveMarking.OFFICIAL
    page = read(client, people.developer, policy, "versions")
    rows = {match.group(1): match.group(2) for match in
            re.finditer(r'<td class="govuk-table__cell">(\d+\.\d+)(.*?)</td>', page)}
    assert "OFFICIAL-SENSITIVE" in rows["1.0"] and "OFFICIAL-SENSITIVE" in rows["2.0"]
    assert "OFFICIAL-SENSITIVE" not in rows["3.0"] and "OFFICIAL-SENSITIVE" not in rows["4.0"]


def test_the_compare_and_revisions_pages_say_to_handle_them_so(client, downgraded, people):  # noqa: F811
    policy, _ = downgraded
    client.force_login(people.developer)
    base = f"/policies/{policy.reference}/versions/"
    said = text(client.get(f"{base}compare/?from=1.0&to=3.0").content.decode())
    assert f"Version 1.0 is {WARNING} {policy.reference} was marked OFFICIAL-SENSITIVE" in said
    said = text(client.get(f"{base}compare/?from=1.0&to=2.0").content.decode())
    assert f"Versions 1.0 and 2.0 are {WARNING}" in said
    assert WARNING not in text(client.get(f"{base}compare/?from=3.0&to=4.0").content.decode())
    assert f"Version 2.0 is {WARNING}" in text(client.get(f"{base}2.0/revisions/").content.decode())
    assert WARNING not in text(client.get(f"{base}3.0/revisions/").content.decode())


def test_those_not_cleared_are_shown_none_of_it(client, downgraded):  # noqa: F811
    policy, reader = downgraded
    page = read(client, reader, policy, "versions")
    assert "OFFICIAL-SENSITIVE</strong>" not in page and ">1.0<" not in page
