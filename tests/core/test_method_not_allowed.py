"""An address that only takes a form's post (marking notifications read, confirming a policy was read, PCU's "Store
the files again"), opened as a page (a bookmark, the address typed, a page reloaded from history), answered an empty
405 that Chromium shows as "This page isn't working" (QA10 item 12). It answers a GOV.UK page saying why, with the
way back, still 405 and with its Allow header; one handler for every such address (core.middleware)."""

from __future__ import annotations

import pytest

from core.models import Role
from tests.factories import BusinessGroupFactory, user_with_role

pytestmark = pytest.mark.django_db

POST_ONLY = ("/notifications/read/", "/acknowledgements/confirm/", "/policies/POL-0001/publication/1/store-files/")


@pytest.fixture
def officer(client):
    person = user_with_role(Role.DEVELOPER, BusinessGroupFactory())
    client.force_login(person)
    return person


@pytest.mark.parametrize("path", POST_ONLY)
def test_a_post_only_address_opened_as_a_page_says_why(client, officer, path):
    response = client.get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<title>This address only accepts a form – PolicyHub</title>" in html
    assert "This address only accepts a form submitted from a page of PolicyHub" in html
    assert 'href="/">Go to My work</a>' in html
    assert "Go back to the page you came from" not in html


def test_the_way_back_is_the_services_own_page_it_came_from(client, officer):
    html = client.get("/notifications/read/", HTTP_REFERER="http://testserver/notifications/?page=2").content.decode()
    assert '<a class="govuk-link" href="/notifications/?page=2">Go back to the page you came from</a>' in html
    elsewhere = client.get("/notifications/read/", HTTP_REFERER="https://evil.example/x").content.decode()
    assert "evil.example" not in elsewhere and "Go back to the page you came from" not in elsewhere


def test_other_refusals_of_a_method_are_left_as_they_were(client, officer):
    # A post to a page that is only read is no browser's navigation: Django's answer stands.
    response = client.post("/notifications/1/open/")
    assert response.status_code == 405 and response.content == b""


def test_a_path_naming_another_site_is_not_the_way_back(client, officer):
    """Review of 2026-12-06 (LOW): this host's Referer with a path beginning "//" led back to another site."""
    html = client.get("/notifications/read/", HTTP_REFERER="http://testserver//evil.example/x").content.decode()
    assert "evil.example" not in html and "Go back to the page you came from" not in html
