"""A public information page (cookies, privacy) open in two places (PCU and the publisher, or two tabs): the first
saves, then the second saves from the page it loaded before. Both were told the page was saved, and the first one's
text was silently put back as the second page showed it, on a page the public reads (QA walk, t_infopage3). The
edit is bound to the revision its page showed, as the EIA's is (core.stale_saves, checked by the service under the
page's row lock): the stale save is refused, nothing is changed, and what was typed stays on the form."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.events import AuditAction
from core.models import AuditEvent
from guidance.content import COOKIES
from guidance.selectors import page_sections
from guidance.services import site_page_update
from tests.factories import refused

pytestmark = pytest.mark.django_db

EDIT = "/information-pages/cookies/edit/"
FIRST = "<p>PCU-EDIT-A: this service sets two cookies when you sign in.</p>"
SECOND = "<p>PUBLISHER-EDIT-B, from a page opened earlier.</p>"


def posted_from(page: str, **typed) -> dict:
    """The edit form as a browser sends it from ``page``: its hidden revision, each section as shown, then what was
    typed."""
    revision = re.search(r'<input type="hidden" name="base_revision" value="(\d+)"', page)
    assert revision is not None, "the form carries the revision it was drawn from"
    sections = {section.key: section.body for section in page_sections(page=COOKIES)}
    return {**sections, "base_revision": revision.group(1), **typed}


def test_a_save_from_a_page_older_than_the_page_is_refused(people):
    shown = {section.key: section.default for section in COOKIES.sections}
    site_page_update(actor=people.pcu, page=COOKIES, bodies={**shown, "intro": FIRST}, base_revision=0)
    with refused("conflict", "have not been saved"):
        site_page_update(actor=people.pcu_qa, page=COOKIES, bodies={**shown, "essential": SECOND}, base_revision=0)
    shown = {section.key: section.body for section in page_sections(page=COOKIES)}
    assert shown["intro"] == FIRST and shown["essential"] == COOKIES.section("essential").default
    assert AuditEvent.objects.filter(action=AuditAction.SITE_PAGE_UPDATED).count() == 1


def test_the_second_editor_is_told_who_saved_and_keeps_what_they_typed(client, people):
    client.force_login(people.pcu)
    first_page = client.get(EDIT).content.decode()
    client.force_login(people.pcu_qa)
    second_page = client.get(EDIT).content.decode()
    client.force_login(people.pcu)
    assert client.post(EDIT, posted_from(first_page, intro=FIRST)).status_code == 302
    client.force_login(people.pcu_qa)
    response = client.post(EDIT, posted_from(second_page, essential=SECOND))
    html = response.content.decode()
    assert response.status_code == 409
    summary = html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert f"saved by {people.pcu.get_full_name()} at " in summary and "have not been saved" in summary
    assert "PUBLISHER-EDIT-B, from a page opened earlier." in html, "what was typed is on the form"
    public = client.get("/cookies/").content.decode()
    assert "PCU-EDIT-A" in public and "PUBLISHER-EDIT-B" not in public


def test_a_save_from_the_page_as_it_now_stands_goes_through(client, people):
    client.force_login(people.pcu)
    assert client.post(EDIT, posted_from(client.get(EDIT).content.decode(), intro=FIRST)).status_code == 302
    assert client.post(EDIT, posted_from(client.get(EDIT).content.decode(), essential=SECOND)).status_code == 302
    public = client.get("/cookies/").content.decode()
    assert "PCU-EDIT-A" in public and "PUBLISHER-EDIT-B" in public


def test_the_edit_page_costs_a_fixed_number_of_queries(client, people):
    """Pinned: the session and the person (with their roles), the page's sections, and the revision the form is
    bound to; the same after saves."""
    client.force_login(people.pcu)
    with CaptureQueriesContext(connection) as before:
        assert client.get(EDIT).status_code == 200
    client.post(EDIT, posted_from(client.get(EDIT).content.decode(), intro=FIRST))
    with CaptureQueriesContext(connection) as after:
        assert client.get(EDIT).status_code == 200
    assert len(before) == len(after) == 4, [query["sql"] for query in after]
