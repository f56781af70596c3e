"""A form posted after the session ended (the idle timeout passed, or the person signed out in another tab) was sent
to sign in with "what you sent was not saved", and what had been typed was gone (left over from the QA walk of
2026-12-06; the timeout warning prevents most of it, not a sign-out in another tab or a laptop's lid closed). The
service's page now says nothing was saved and shows back the texts of the form's own fields, read-only, to copy, as
the CSRF failure page does (core.typed_back): never a hidden field, a token or a password, and only to a post the
browser says came from this service's own page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
STATEMENT = "<p>Officers record every stop on body-worn video.</p>"


def statement_post(policy, **headers):
    return Client().post(f"/policies/{policy.reference}/statement/edit/", {
        "statement": STATEMENT + "<script>alert(1)</script>", "summary_of_changes": "First draft of the stance.",
        "health_and_safety": "none", "base_revision": "7319"}, **headers)


def test_a_statement_posted_after_the_session_ended_is_shown_back(policy_in):
    policy = policy_in("development")
    response = statement_post(policy, **SAME_ORIGIN,
                              HTTP_REFERER=f"http://testserver/policies/{policy.reference}/statement/edit/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "You are signed out: nothing was saved" in page
    assert "What you typed" in page
    assert STATEMENT in page and "<script>alert" not in page  # sanitised, as it would have been kept
    assert "First draft of the stance." in page
    assert "7319" not in page  # a hidden field: never
    assert f'href="/sign-in/?next=/policies/{policy.reference}/statement/edit/"' in page


def test_a_post_from_another_site_still_goes_to_sign_in_with_nothing_shown(policy_in):
    policy = policy_in("development")
    for headers in ({"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_REFERER": "https://evil.example/form"}, {}):
        response = statement_post(policy, **headers)
        assert response.status_code == 302, headers
        assert response["Location"].startswith("/sign-in/"), headers


def test_a_form_with_nothing_typed_goes_to_sign_in_as_before(people):
    response = Client().post("/notifications/read/", {"all": "1"}, **SAME_ORIGIN)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_an_htmx_post_after_the_session_ended_still_gets_the_htmx_redirect(policy_in):
    policy = policy_in("development")
    response = statement_post(policy, HTTP_HX_REQUEST="true", **SAME_ORIGIN)
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/sign-in/")
