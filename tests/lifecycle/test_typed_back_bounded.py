"""Text shown back when nothing was saved is sanitised only when the sanitiser's work on it is bounded (STYLE rule 19;
review of 2026-12-06): anyone signed in could post 25,000 <blockquote>s for a policy that does not exist and hold a
worker 11.1 s before the 404. Such text is shown back as typed, as plain text: nothing lost, nothing parsed. The
Policy Statement's own form refuses text the parser would work too long on, before parsing it, with its reason."""

from __future__ import annotations

import pytest

from core.exceptions import ApplicationError
from guidance.content import COOKIES
from guidance.selectors import page_sections
from guidance.services import site_page_update
from lifecycle.forms import StatementForm
from lifecycle.typed_back import Typed, typed_in
from tests.core.test_rich_text_work import REOPENING
from tests.library.helpers import staff

pytestmark = pytest.mark.django_db

DEEP = "<blockquote>" * 25_000


@pytest.fixture
def never_parsed(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the text was parsed")

    monkeypatch.setattr("core.html.nh3.clean", parse)


def test_unbounded_rich_text_is_shown_back_as_typed_without_parsing(never_parsed):
    assert typed_in(StatementForm, {"statement": DEEP}) == [Typed("Policy Statement", DEEP)]
    assert typed_in(StatementForm, {"statement": REOPENING[:500_000]}) == [
        Typed("Policy Statement", REOPENING[:500_000])]


def test_bounded_rich_text_is_still_shown_back_formatted():
    assert typed_in(StatementForm, {"statement": "<p>Kept <strong>31 days</strong></p><script>x</script>"}) == [
        Typed("Policy Statement", "<p>Kept <strong>31 days</strong></p>", rich=True)]


def test_a_post_for_no_policy_answers_the_404_without_parsing(client, people, never_parsed):
    client.force_login(staff("nobody", people.unit))
    response = client.post("/policies/POL-9999/statement/edit/", {"statement": DEEP})
    assert response.status_code == 404
    assert "&lt;blockquote&gt;" * 3 in response.content.decode()


def test_the_statement_form_refuses_end_tags_hiding_depth_without_parsing(client, people, policy_in, never_parsed):
    policy = policy_in("development")
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/statement/edit/",
                           {"statement": "<ul></x>" * 20_000, "base_revision": policy.current_version.draft_revision})
    assert response.status_code == 400
    assert "nested more than 200 deep" in response.content.decode()


def test_the_public_pages_refuse_text_over_the_limit_or_reopening_formatting(people):
    shown = {section.key: section.default for section in COOKIES.sections}
    for typed, message in (("<p>" + "x" * 500_000 + "</p>", "must be 500,000 characters or fewer"),
                           (REOPENING, "leaves bold, italic")):
        with pytest.raises(ApplicationError) as refused:
            site_page_update(actor=people.pcu, page=COOKIES, bodies={**shown, "intro": typed}, base_revision=0)
        assert refused.value.field == "intro" and message in refused.value.message
    assert [section.body for section in page_sections(page=COOKIES)] == list(shown.values())
