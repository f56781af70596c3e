"""Form pages and the dashboard's sub-pages had no way back but the browser's (QA10 item 13): each now has a GOV.UK
back link, to the page of this service the person came from (its Referer: never another site's, never the page
itself, as after a post with errors), else to the page above it (core.templatetags.back_links)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _back(html: str) -> str | None:
    match = re.search(r'<a href="([^"]*)" class="govuk-back-link">Back</a>', html)
    return match.group(1) if match else None


def _pages(people):
    """(person, path, where the link goes when nothing says where they came from)."""
    leaver = people.developer2
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    group = people.group.pk
    return [
        (people.developer, "/policies/new/", "/policies/"),
        (people.pcu, f"/people/{leaver.username}/handover/", "/"),
        (people.developer, "/account/password/", "/"),
        (people.pcu, "/dashboard/indicators/", "/dashboard/"),
        (people.pcu, "/dashboard/report/", "/dashboard/"),
        (people.pcu, "/dashboard/remedial-actions/", "/dashboard/"),
        (people.pcu, "/dashboard/acknowledgements/", "/dashboard/"),
        (people.pcu, f"/dashboard/report/?business_group={group}", f"/dashboard/?business_group={group}"),
    ]


def test_each_page_leads_back_where_the_person_came_from_else_to_the_page_above(client, people):
    for person, path, above in _pages(people):
        client.force_login(person)
        assert _back(client.get(path).content.decode()) == above, path
        came_from = client.get(path, HTTP_REFERER="http://testserver/policies/?q=stop%20and%20search")
        assert _back(came_from.content.decode()) == "/policies/?q=stop%20and%20search", path
        # Never another site, nor the page itself (a post with errors is drawn again with its own Referer).
        assert _back(client.get(path, HTTP_REFERER="https://evil.example/x").content.decode()) == above, path
        itself = client.get(path, HTTP_REFERER=f"http://testserver{path}")
        assert _back(itself.content.decode()) == above, path


def test_a_post_with_errors_keeps_the_way_back(client, people):
    client.force_login(people.developer)
    response = client.post("/policies/new/", {}, HTTP_REFERER="http://testserver/policies/new/")
    assert response.status_code == 400 or "govuk-error-summary" in response.content.decode()
    assert _back(response.content.decode()) == "/policies/"


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x", "/%5Cevil.example/x"])
def test_a_path_of_this_service_that_names_another_site_is_not_a_way_back(client, people, path):
    """Review of 2026-12-06 (LOW): a Referer of this host whose path begins "//" (or "/\\", which browsers read the
    same) gave the link "//evil.example/x", a link to another site. The link goes to the page above instead."""
    client.force_login(people.developer)
    html = client.get("/policies/new/", HTTP_REFERER=f"http://testserver{path}").content.decode()
    assert _back(html) == "/policies/" and "evil.example" not in html
