"""A form posted without its CSRF cookie (the browser cleared its cookies, or the page was kept open across a sign-out)
answered Django's bare "Forbidden (403) CSRF verification failed" page, with no way back (found by the twelfth
session's Chromium check). It answers the service's page: nothing was saved, why that may be, and a link to sign in
that leads back to the page the form was on."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_form_without_its_csrf_cookie_gets_a_page_that_leads_back(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/acknowledgements/confirm/", {"version": "1"},
                           HTTP_REFERER="http://testserver/library/POL-0003/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Nothing was saved" in page and "CSRF verification failed" not in page
    assert 'href="/sign-in/?next=/library/POL-0003/"' in page
    assert 'class="govuk-header' in page  # the service's layout
