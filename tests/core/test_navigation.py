"""The service navigation of every signed-in page (templates/base.html, {% service_navigation %} of
core.templatetags.layout): the item a page is under is marked active, and aria-current="page" only on that very page;
the unread count on Notifications."""

from __future__ import annotations

import re

import pytest

from notifications.models import Notification

pytestmark = pytest.mark.django_db

NAVIGATION = re.compile(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', re.S)
ITEM = re.compile(r'<li class="govuk-service-navigation__item( govuk-service-navigation__item--active)?">\s*'
                  r'<a class="govuk-service-navigation__link" href="([^"]+)"( aria-current="page")?>([^<]+)')


def items(client, url):
    html = client.get(url).content.decode()
    return [(href, label.strip(), bool(active), bool(current))
            for active, href, current, label in ITEM.findall(NAVIGATION.search(html).group(1))]


def test_each_page_marks_the_item_it_is_under(client, people):
    policy = people.policy()
    client.force_login(people.coordinator)

    assert items(client, "/") == [
        ("/", "My work", True, True), ("/policies/", "Policy register", False, False),
        ("/notices/", "Notices", False, False), ("/library/", "Library", False, False),
        ("/acknowledgements/", "Acknowledgements", False, False),
        ("/notifications/", "Notifications", False, False), ("/help/", "Help", False, False),
        ("/account/password/", "Change password", False, False),
    ]
    marked = {url: [(href, active, current) for href, _, active, current in items(client, url)
                    if active or current] for url in
              ("/policies/", f"/policies/{policy.reference}/", "/library/", "/help/", "/notifications/")}
    assert marked == {
        "/policies/": [("/policies/", True, True)],
        f"/policies/{policy.reference}/": [("/policies/", True, False)],
        "/library/": [("/library/", True, True)],
        "/help/": [("/help/", True, True)],
        "/notifications/": [("/notifications/", True, True)],
    }


def test_the_unread_count_is_on_notifications(client, people):
    client.force_login(people.coordinator)
    assert "unread</span>" not in client.get("/").content.decode()
    Notification.objects.create(recipient=people.coordinator, title="A policy waits for you")
    html = client.get("/").content.decode()
    assert ('Notifications <span class="govuk-tag govuk-tag--blue app-count">1<span class="govuk-visually-hidden">'
            ' unread</span></span></a>') in html


def test_visitors_have_no_service_navigation(client):
    assert 'id="navigation"' not in client.get("/publication-scheme/").content.decode()
