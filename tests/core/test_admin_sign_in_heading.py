"""Django's admin sign-in page had no level-one heading (axe: page-has-heading-one), the only page of a QA walk's 360
that failed axe (QA walk of 2026-12-06: a signed-in person without admin rights opening /admin/ lands on it)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_sign_in_page_has_a_level_one_heading(client, people):
    client.force_login(people.developer)
    response = client.get("/admin/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "/admin/login/" in response.redirect_chain[-1][0]
    assert page.count("<h1") == 1 and "<h1>Log in</h1>" in page
