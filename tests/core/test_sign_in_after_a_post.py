"""A form posted after the session ended (the library's "I have read version 1.0", a step's button) sent the person to
sign in with the form's own address as where to go next; signing in then opened that address, which only takes
posts, and showed a blank "405" (found by the twelfth session's Chromium walk). After sign-in the person goes back
to the page the form was on (its Referer, when it is this service's), or to My work."""

from __future__ import annotations

import pytest

from core.models import Role
from tests.factories import BusinessGroupFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_a_form_posted_signed_out_leads_back_to_its_page_after_sign_in(client):
    page = "http://testserver/library/POL-0003/?q=stop"
    response = client.post("/acknowledgements/confirm/", {"version": "1"}, HTTP_REFERER=page)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/library/POL-0003/%3Fq%3Dstop"
    # Another site's page is never where a sign-in leads.
    elsewhere = client.post("/acknowledgements/confirm/", {"version": "1"}, HTTP_REFERER="https://evil.example/x")
    assert elsewhere["Location"] == "/sign-in/?next=/"
    assert client.post("/acknowledgements/confirm/", {"version": "1"})["Location"] == "/sign-in/?next=/"
    # A page (GET) still leads back to itself.
    assert client.get("/policies/?q=stop")["Location"] == "/sign-in/?next=/policies/%3Fq%3Dstop"


def test_signing_in_from_there_opens_the_page_not_a_405(client):
    person = user_with_role(Role.DEVELOPER, BusinessGroupFactory())
    person.set_password("a-long-enough-password-1")
    person.save()
    location = client.post("/acknowledgements/confirm/", {"version": "1"},
                           HTTP_REFERER="http://testserver/policies/")["Location"]
    signed_in = client.post(location, {"username": person.username, "password": "a-long-enough-password-1"},
                            follow=True)
    assert signed_in.status_code == 200 and signed_in.redirect_chain[-1][0] == "/policies/"
