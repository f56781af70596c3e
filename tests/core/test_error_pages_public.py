"""The error pages as the public meets them (QA walk: a 500 on the Publication Scheme's PDF offered a member of the
public "Go to My work", a page behind the sign-in; the 404 spoke of drafts and access). Signed-in staff are still
sent to My work."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.views import page_not_found, server_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _as(user):
    request = RequestFactory().get("/publication-scheme/POL-0004/")
    request.user = user
    return request


@pytest.mark.parametrize("view", [server_error, page_not_found])
def test_the_public_are_sent_to_the_publication_scheme(view):
    from django.contrib.auth.models import AnonymousUser

    html = view(_as(AnonymousUser())).content.decode()
    assert 'href="/publication-scheme/"' in html
    assert "My work" not in html


def test_the_public_404_does_not_speak_of_drafts():
    from django.contrib.auth.models import AnonymousUser

    html = page_not_found(_as(AnonymousUser())).content.decode()
    assert "drafted" not in html
    assert "may not exist" in html


@pytest.mark.parametrize("view", [server_error, page_not_found])
def test_staff_are_sent_to_my_work(view):
    html = view(_as(UserFactory())).content.decode()
    assert '<a class="govuk-link" href="/">Go to My work</a>' in html


def test_a_500_rendered_without_a_user_still_renders():
    """The handler may run before the authentication middleware has set ``request.user``."""
    html = render_to_string("errors/500.html", request=RequestFactory().get("/"))
    assert "Sorry, there is a problem with the service" in html
