"""The bench's floor (benchmarks.floor): a signed-in page with the service's whole layout and nothing else, served only
under the bench's URL conf, which keeps every URL of the application."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.urls import reverse

from benchmarks import floor
from core.models import Role
from tests.factories import BusinessGroupFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_the_floor_is_the_signed_in_layout_around_a_heading_and_only_under_the_bench_conf(client):
    person = user_with_role(Role.DEVELOPER, BusinessGroupFactory())
    client.force_login(person)
    assert client.get(floor.FLOOR_URL).status_code == 404  # not a page of the application
    with override_settings(ROOT_URLCONF=floor.__name__):
        page = client.get(floor.FLOOR_URL)
        home = client.get(reverse("home"))  # the application's pages still answer under the bench's conf
    body = page.content.decode()
    assert page.status_code == 200 and home.status_code == 200
    # The layout a real page has: the service navigation with the person's sign-out, and the footer.
    assert 'class="govuk-service-navigation__list"' in body and f"Sign out {person.username}" in body
    assert 'class="govuk-footer"' in body and '<h1 class="govuk-heading-l">Floor</h1>' in body


def test_djangos_floor_is_a_signed_in_constant_answer_and_only_under_the_bench_conf(client):
    # What Django and the middleware cost for a signed-in request with nothing rendered: the least any page costs.
    client.force_login(user_with_role(Role.DEVELOPER, BusinessGroupFactory()))
    assert client.get(floor.DJANGO_FLOOR_URL).status_code == 404
    with override_settings(ROOT_URLCONF=floor.__name__):
        page = client.get(floor.DJANGO_FLOOR_URL)
        client.logout()
        visitor = client.get(floor.DJANGO_FLOOR_URL)
    assert page.status_code == 200 and page.content == b"Django floor"
    # The whole middleware ran: the headers every page carries.
    assert "Content-Security-Policy" in page and page["X-Frame-Options"] == "DENY"
    assert visitor.status_code == 302 and "sign-in" in visitor["Location"]


def test_the_floors_rows_are_information_first_in_the_table():
    assert floor.FLOORS == (floor.DJANGO_FLOOR, floor.FLOOR)
    assert all(case.users == ("developer", "co-ordinator", "PCU") for case in floor.FLOORS)


def test_the_floor_asks_a_visitor_to_sign_in(client):
    with override_settings(ROOT_URLCONF=floor.__name__):
        response = client.get(floor.FLOOR_URL)
    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.mark.django_db(transaction=True)  # the handler's request signals close a connection left in a transaction
def test_the_bench_sends_back_the_cookies_a_browser_would(client):
    # benchmarks.pages._Server sent only the session cookie, so every measured page minted a new CSRF secret and
    # skipped the idle timeout's signed cookie, which a person's second page never does.
    from django.middleware.csrf import CSRF_SECRET_LENGTH

    from benchmarks.pages import _connection_kept, _Server
    from core.middleware import LAST_SEEN_COOKIE

    client.force_login(user_with_role(Role.DEVELOPER, BusinessGroupFactory()))
    server = _Server(client)

    def sent() -> dict[str, str]:  # the Cookie header the next request carries
        return dict(pair.split("=", 1) for pair in server.cookie.split("; "))

    with override_settings(ROOT_URLCONF=floor.__name__), _connection_kept():
        server.get(floor.FLOOR_URL, {})
        first = sent()
        assert {settings.CSRF_COOKIE_NAME, LAST_SEEN_COOKIE, settings.SESSION_COOKIE_NAME} <= set(first), first
        assert len(first[settings.CSRF_COOKIE_NAME]) == CSRF_SECRET_LENGTH
        server.get(floor.FLOOR_URL, {})
    # The same CSRF secret: the second page read it from the cookie sent back rather than making a new one.
    assert sent()[settings.CSRF_COOKIE_NAME] == first[settings.CSRF_COOKIE_NAME]
