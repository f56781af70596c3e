"""The library's results as printed (library.templatetags.library_results): every kind of result written exactly as
the page's template wrote it, and no Python spent per result beyond printing it."""

from __future__ import annotations

import datetime
from html import escape

import pytest
import time_machine
from django.utils import timezone

from library.models import LibraryDocument
from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import advance_to, take_step
from tests.library.helpers import published, staff, submitted_with
from tests.page_cost import PageCost, rendered_again, search_form_of

pytestmark = pytest.mark.django_db

LONG_RELEVANT_TO = "Officers & staff <in custody suites>, front counters and response teams. " * 4  # 292 characters


def when(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, 10, 0))


def listed(page: str) -> str:
    """The page's list of results, from its <ol> to its end."""
    start = page.index('<ol class="govuk-list app-library-results"')
    return page[start:page.index("</ol>", start) + len("</ol>")]


def result(url: str, title: str, kind: str, line: str, *, status: str = "", marking: str = "",
           extract: str = "") -> str:
    return (f'\n      <li class="app-library-results__item">'
            f'\n        <h2 class="govuk-heading-s govuk-!-margin-bottom-1">'
            f'\n          <a class="govuk-link" href="{url}">{title}</a>\n        </h2>'
            f'\n        <p class="govuk-body-s govuk-!-margin-bottom-1">'
            f'\n          <strong class="govuk-tag govuk-tag--grey">{kind}</strong>'
            f"\n          {status}\n          {marking}"
            f"\n          {line}\n        </p>\n        {extract}\n      </li>\n      ")


SENSITIVE = '<strong class="govuk-tag govuk-tag--orange">OFFICIAL-SENSITIVE</strong>'
SUPERSEDED = '<strong class="govuk-tag govuk-tag--yellow">Superseded</strong>'
WITHDRAWN = '<strong class="govuk-tag govuk-tag--red">Withdrawn</strong>'


def relevant(text: str) -> str:
    return f'<p class="govuk-body-s">{text}</p>'


def test_browsing_prints_each_statement_as_the_template_did(client, people):
    """The landing page's rows for fixed data, pinned: each statement's title linked to its policy's page, its
    reference, version, business group and day published, OFFICIAL-SENSITIVE tagged for those cleared for it, and what
    it is relevant to cut at 200 characters, every value escaped."""
    with time_machine.travel(when(2), tick=False):
        long = published(people, title="Custody & <care>", statement="<p>Anything.</p>",
                         relevant_to=LONG_RELEVANT_TO)
    with time_machine.travel(when(3), tick=False):
        sensitive = published(people, title="Firearms", statement="<p>Anything.</p>",
                              marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    client.force_login(people.pcu)
    assert listed(client.get("/library/").content.decode()) == (
        '<ol class="govuk-list app-library-results" start="1">\n      '
        + result(f"/library/{long.reference}/#statement", "Custody &amp; &lt;care&gt;", "Policy Statement",
                 f"{long.reference}, version 1.0 · Territorial Policing · published 2 March 2026",
                 extract=relevant(escape(LONG_RELEVANT_TO[:199] + "…")))
        + result(f"/library/{sensitive.reference}/#statement", "Firearms", "Policy Statement",
                 f"{sensitive.reference}, version 1.0 · Territorial Policing · published 3 March 2026",
                 marking=SENSITIVE, extract=relevant("All police officers and police staff."))
        + "\n    </ol>")


def test_a_search_prints_each_kind_of_document_and_its_extract_as_the_template_did(client, people):
    """A search's rows: a statement, an SOP (after the policy's reference, its title) and an EIA, each with its extract,
    the matches marked; an earlier version marked superseded and linked to that version; a withdrawn policy's in the
    archive, marked withdrawn."""
    with time_machine.travel(when(2), tick=False):
        policy = published(people, title="Stop and search", statement="<p>First edition: oryxine grounds.</p>",
                           sop_title="Oryxine tactics", sop_text="<p>Oryxine &amp; the grounds.</p>")
    with time_machine.travel(when(4), tick=False):
        policy = advance_to(policy, Status.MONITORING, people)
        s.policy_start_review(policy=policy, actor=people.coordinator, reason="New guidance.")
        policy = submitted_with(policy, people, statement="<p>Second edition: oryxine grounds, rewritten.</p>",
                                summary_of_changes="Grounds rewritten.")
        policy = advance_to(policy, Status.IMPLEMENTATION, people)
    sop = LibraryDocument.objects.get(policy=policy, kind="sop", is_current=True)
    reader = staff("reader", people.unit)
    client.force_login(reader)
    page = listed(client.get("/library/", {"q": "oryxine"}).content.decode())
    extract = '<p class="govuk-body app-library-extract">{}</p>'
    assert page == (
        '<ol class="govuk-list app-library-results" start="1">\n      '
        + result(f"/library/{policy.reference}/#sop-{sop.sop_id}", "Oryxine tactics", "Standard operating procedure",
                 f"{policy.reference} Stop and search, version 2.0 · Territorial Policing · published 4 March 2026",
                 extract=extract.format("<mark>Oryxine</mark> &amp; the grounds"))
        + result(f"/library/{policy.reference}/#statement", "Stop and search", "Policy Statement",
                 f"{policy.reference}, version 2.0 · Territorial Policing · published 4 March 2026",
                 extract=extract.format("force handles the matter consistently and lawfully.\n\nSecond edition: "
                                        "<mark>oryxine</mark> grounds, rewritten.\n\nGrounds rewritten"))
        + "\n    </ol>")
    earlier = listed(client.get("/library/", {"q": "first edition", "scope": "superseded"}).content.decode())
    assert earlier == (
        '<ol class="govuk-list app-library-results" start="1">\n      '
        + result(f"/library/{policy.reference}/versions/1.0/#statement", "Stop and search", "Policy Statement",
                 f"{policy.reference}, version 1.0 · Territorial Policing · published 2 March 2026",
                 status=SUPERSEDED,
                 extract=extract.format("force handles the matter consistently and lawfully.\n\n<mark>First</mark> "
                                        "<mark>edition</mark>: oryxine grounds"))
        + "\n    </ol>")
    with time_machine.travel(when(6), tick=False):
        take_step(Policy.objects.get(pk=policy.pk), people, "withdrawn", reason="Retired.")
    archive = listed(client.get("/library/archive/").content.decode())
    assert archive == (
        '<ol class="govuk-list app-library-results" start="1">\n      '
        + result(f"/library/{policy.reference}/versions/2.0/#statement", "Stop and search", "Policy Statement",
                 f"{policy.reference}, version 2.0 · Territorial Policing · published 4 March 2026",
                 status=WITHDRAWN, extract=relevant("All police officers and police staff."))
        + "\n    </ol>")


def test_the_page_spends_no_python_per_result_beyond_printing_it(client, people, monkeypatch):
    """make bench, 100,000 policies: the library's landing page took about twice its own SQL. Each of its 20 results
    was a model instance, its link resolved by reverse() and its date written by |date in a loop of template nodes.
    They are rows of values now, printed by one template tag: as many instances and URL resolutions for three
    statements as for one."""
    published(people, title="First", statement="<p>Anything.</p>")
    page_cost = PageCost(monkeypatch, (LibraryDocument,))
    client.force_login(staff("reader", people.unit))
    client.get("/library/")

    def cost() -> tuple[int, int, int]:
        instances, resolutions, page = page_cost(client, "/library/")
        return instances, resolutions, page.count('<li class="app-library-results__item">')

    one = cost()
    assert one[2] == 1
    published(people, title="Second", statement="<p>Anything.</p>")
    published(people, title="Third", statement="<p>Anything.</p>")
    assert cost() == (one[0], one[1], 3)


def test_the_search_forms_fields_are_not_rendered_again_for_the_same_form(client, people):
    """make bench, 100,000 policies: the search form's five fields, each an include of includes/field.html and its
    widget's templates (an option each of its selects), took 4.7 ms of every landing page. They are rendered once for
    each form that renders the same (core.templatetags.form_fields), the same HTML."""
    published(people, title="First", statement="<p>Anything.</p>")
    client.force_login(staff("reader", people.unit))
    first, again, rendered = rendered_again(client, "/library/")
    form = search_form_of(again)
    assert form == search_form_of(first) and 'id="id_business_group"' in form
    assert "includes/field.html" not in rendered and "library/index.html" in rendered
