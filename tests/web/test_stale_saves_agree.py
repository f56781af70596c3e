"""A save from an editor older than a save made meanwhile (a colleague, another tab) answered 400 on the Policy
Statement, an SOP, the EIA and the Workbook, but 409 on the monitoring report's draft and the public information
pages; and the statement and SOP editors said it in their own words. Every stale save is now refused the same way,
through core.stale_saves: 409 Conflict (the page's revision is stale, as an HTTP ``If-Match`` that no longer
matches), the same sentence (who saved meanwhile and when; nothing saved: copy, reload and merge), and what was typed
kept on the form."""

from __future__ import annotations

import pytest

from assessments import services as assessments
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import reload

pytestmark = pytest.mark.django_db

TYPED = "Typed in the older tab: officers explain the grounds for every search."
SAID = "while you were editing it. Your changes have not been saved: copy them, reload, and merge."


def _statement(policy, people):
    version = reload(policy).current_version
    posted = {"statement": f"<p>{TYPED}</p>", "summary_of_changes": "", "health_and_safety": "none",
              "health_and_safety_statement": "", "base_revision": version.draft_revision}
    s.draft_update(policy=reload(policy), actor=people.manager, statement="<p>The manager's save.</p>",
                   base_revision=version.draft_revision)
    return f"/policies/{policy.reference}/statement/edit/", posted, "This draft was saved by "


def _sop(policy, people):
    sop = s.sop_create(policy=reload(policy), actor=people.developer, title="Recording searches",
                       text="<p>Record it.</p>")
    opened = reload(policy).current_version.draft_revision
    posted = {"title": "Recording searches", "text": f"<p>{TYPED}</p>", "protective_marking": "official",
              "base_revision": opened}
    s.sop_update_draft(sop=sop, actor=people.manager, title="Recording searches", text="<p>The manager's.</p>",
                       base_revision=opened)
    return f"/policies/{policy.reference}/sops/{sop.pk}/edit/", posted, "This draft was saved by "


def _eia(policy, people):
    opened = reload(policy).current_version.eia.draft_revision
    assessments.eia_update(policy=reload(policy), actor=people.manager, aims="The manager's aims.",
                           base_revision=opened)
    return (f"/policies/{policy.reference}/eia/", {"aims": TYPED, "base_revision": opened},
            "This Equality Impact Assessment was saved by ")


def _workbook(policy, people):
    opened = reload(policy).current_version.workbook.draft_revision
    assessments.workbook_update(policy=reload(policy), actor=people.manager, need="The manager's need.",
                                base_revision=opened)
    return f"/policies/{policy.reference}/workbook/", {"need": TYPED, "base_revision": opened}, "Workbook was saved by "


@pytest.mark.parametrize("editor", [_statement, _sop, _eia, _workbook], ids=lambda editor: editor.__name__[1:])
def test_a_stale_save_answers_409_in_the_shared_words_keeping_what_was_typed(client, people, policy_in, editor):
    policy = policy_in(Status.DEVELOPMENT)
    url, posted, what = editor(policy, people)
    client.force_login(people.developer)
    response = client.post(url, posted)
    page = response.content.decode()
    assert response.status_code == 409
    summary = page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert f"{what}{people.manager.get_full_name()} at " in summary
    assert SAID in summary
    assert TYPED in page
