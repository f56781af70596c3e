"""A review concluding no change whose Equality Impact Assessment DCFD says must be updated (issue 13): DCFD reopens the
EIA in a minor version (1.1), the policy's developers revise it, DCFD signs the update off and PCU re-publishes. QA walk
in Chromium (SQLite demo), over HTTP as each role:

1. (HIGH) The policy's named developer could not edit the reopened EIA: its tab showed the frozen 1.0 EIA and a save
   was answered 409 "cannot be changed by you at this stage", while the manager could; their My work said "Next: Sign
   off the updated Equality Impact Assessment" as if nothing were theirs, and DCFD's EIA tab showed 1.0 too. SOP, Role
   of Policy Developers: "Conduct impact assessments (using Equality Impact Assessment Form 6119A(x)) on new policies
   and procedures under development, on existing policies every 3 years": the developers write it, and the pages, My
   work and the services now read one rule of who drafts the policy now (``lifecycle.gates_no_change.drafted_now``).
2. (LOW) "Sign off the updated Equality Impact Assessment" said "the policy's developers have revised it" right after
   it was reopened, with nothing revised ("EIA: no changes"), and offered the sign-off: it now says that no revision
   has been made yet, and the sign-off is refused, saying so, until the EIA has been revised."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from assessments.forms import EIAForm
from assessments.services import document_editable
from core.models import Role
from lifecycle import services as s
from lifecycle.models import NoChangeReview, Policy
from lifecycle.selectors import policy_drafts_visibility_filter, user_may_see_drafts
from lifecycle.states import Status
from lifecycle.workflow import SIGN_OFF_UPDATED_EIA
from tests.clock import travel
from tests.factories import RoleAssignmentFactory, UserFactory, monitoring_up_to_date, reload, what_was_read
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review falls due on 15 January 2027
IN_THE_WINDOW = datetime.date(2026, 8, 3)  # within 6 months of it: the Lead may conclude "no change"
ASKED = "Add the 2025 stop data by ethnicity."
REVISED = "Stop and search by ethnicity, 2025: the force's published figures."
UPDATE = "Update the Equality Impact Assessment"


@pytest.fixture
def reopened(policy_in, people):
    """A policy in monitoring whose review the Lead concluded "no change" and whose EIA DCFD reopened (1.1)."""
    return reopen(policy_in, people)


def reopen(policy_in, people, **overrides):
    """``reopened``'s policy, made with ``overrides`` (``policy_create``'s: its protective marking)."""
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING, **overrides)
    with travel(IN_THE_WINDOW):
        monitoring_up_to_date(policy, people)
        s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit; the law is unchanged.",
                                    **what_was_read(reload(policy)))
        s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="updated", eia_comments=ASKED,
                             **what_was_read(reload(policy)))
    policy = reload(policy)
    assert policy.current_version.number == "1.1" and policy.status == Status.MONITORING
    return policy


def eia_url(policy) -> str:
    return f"/policies/{policy.reference}/eia/"


def typed(policy, **changes) -> dict:
    """What the EIA's form posts: every section as the reopened EIA holds it, with ``changes``."""
    return {**EIAForm.initial_from(reload(policy).current_version.eia), **changes}


def revise(client, people, policy):
    client.force_login(people.developer)
    response = client.post(eia_url(policy), typed(policy, evidence_and_data=REVISED))
    assert response.status_code == 302, response.content.decode()[:2000]


def rows(user, reference) -> dict[str, tuple[str, str]]:
    """Each queue of ``user``'s My work showing ``reference``: its title -> (next work, by whom)."""
    return {queue["title"]: (policy.next_label, policy.next_by) for queue in my_work(user=user)
            for policy in queue["policies"] or () if policy.reference == reference}


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- 1. The developers write the reopened EIA ----------------------------------------------------------------------


def test_the_named_developer_revises_the_reopened_eia_on_its_tab(client, people, reopened):
    with travel(IN_THE_WINDOW):
        client.force_login(people.developer)
        page = client.get(eia_url(reopened))
        assert page.status_code == 200
        said = text(page)
        assert "Equality Impact Assessment (Form 6119a), version 1.1" in said, said[:3000]
        assert 'name="evidence_and_data"' in page.content.decode()  # the form, not the frozen 1.0 read-only
        # What DCFD asked for is said where the work is done.
        assert ASKED in said
        revise(client, people, reopened)
    eia = reload(reopened).current_version.eia
    assert eia.evidence_and_data == REVISED and eia.updated_by == people.developer and eia.frozen_at is None


def test_the_developers_my_work_names_their_update_of_the_eia_and_their_overview_links_it(client, people, reopened):
    with travel(IN_THE_WINDOW):
        assert rows(people.developer, reopened.reference) == {"Drafts to finish": (UPDATE, "")}
        client.force_login(people.developer)
        assert f"Next: <strong>{UPDATE}</strong>" in client.get("/").content.decode()
        overview = client.get(f"/policies/{reopened.reference}/")
        said = text(overview)
        assert "Nothing is waiting for you" not in said
        assert f'href="{eia_url(reopened)}"' in overview.content.decode()
        assert f"Waiting for you: {UPDATE}" in said, said[-3000:]
        # Revised, their part is done: what follows is DCFD's, and it leaves their drafts.
        revise(client, people, reopened)
        assert "Drafts to finish" not in rows(people.developer, reopened.reference)
        work = client.get(f"/policies/{reopened.reference}/").context["next"].work
        assert (work.title, work.by) == (SIGN_OFF_UPDATED_EIA.page.title, SIGN_OFF_UPDATED_EIA.taken_by)


def test_dcfd_reads_the_reopened_eia_on_its_tab(client, people, reopened):
    with travel(IN_THE_WINDOW):
        revise(client, people, reopened)
        client.force_login(people.dcfd)
        said = text(client.get(eia_url(reopened)))
        assert "version 1.1" in said and REVISED in said


def test_who_edits_the_reopened_eia_sees_it_and_the_lists_agree(people, reopened):
    """One rule for the pages (``user_may_see_drafts``), the lists (``policy_drafts_visibility_filter``) and the
    services (``document_editable``): whoever may edit the reopened EIA is shown it; the two readings agree."""
    unnamed = UserFactory(username="unnamed_dev")
    RoleAssignmentFactory(user=unnamed, role=Role.DEVELOPER, business_group=people.group)
    staff = UserFactory(username="plain_staff", unit=people.unit)
    editors = {people.developer, people.manager}
    shown = editors | {people.dcfd, people.pcu, people.coordinator, people.lead, people.owner}
    with travel(IN_THE_WINDOW):
        for user in (people.developer, people.manager, people.dcfd, people.pcu, people.coordinator, people.lead,
                     people.owner, people.doi, people.developer2, people.lead2, unnamed, staff):
            user = type(user).objects.get(pk=user.pk)
            policy = reload(reopened)
            eia = policy.current_version.eia
            assert document_editable(user=user, policy=policy, document=eia) == (user in editors), user.username
            sees = user_may_see_drafts(user=user, policy=reload(reopened))
            assert sees == (user in shown), user.username
            condition = policy_drafts_visibility_filter(type(user).objects.get(pk=user.pk))
            matching = Policy.objects.all() if condition is None else Policy.objects.filter(condition)
            assert matching.filter(pk=reopened.pk).exists() == sees, user.username


# --- 2. The sign-off waits for a revision ---------------------------------------------------------------------------


def test_the_sign_off_says_no_revision_was_made_and_is_refused_until_there_is_one(client, people, reopened):
    url = f"/policies/{reopened.reference}/actions/{SIGN_OFF_UPDATED_EIA.page.slug}/"
    with travel(IN_THE_WINDOW):
        client.force_login(people.dcfd)
        page = client.get(url)
        said = text(page)
        assert "have revised it" not in said
        assert "No revision has been made yet" in said, said[:4000]
        assert "Sign it off</button>" not in page.content.decode()
        # Not in DCFD's My work yet: nothing to sign off.
        assert rows(people.dcfd, reopened.reference) == {}

        response = client.post(url, {**what_was_read(reopened), "comments": "Fine."})
        assert response.status_code == 400
        assert "No revision has been made yet" in text(response)
        policy = reload(reopened)
        review = NoChangeReview.objects.get(policy=policy)
        assert review.waits_for == "eia_update" and review.updated_eia_signed_off_by is None
        assert policy.current_version.eia.frozen_at is None

        revise(client, people, reopened)
        assert rows(people.dcfd, reopened.reference) == {
            "Reviews concluded with no change": (SIGN_OFF_UPDATED_EIA.page.title, "")}
        client.force_login(people.dcfd)
        page = client.get(url)
        assert "Sign it off</button>" in page.content.decode() and "No revision has been made yet" not in text(page)
        response = client.post(url, {**what_was_read(reopened), "comments": "The update is sound."})
        assert response.status_code == 302
    review = NoChangeReview.objects.get(policy=reopened)
    assert review.waits_for == "pcu" and review.updated_eia_signed_off_by == people.dcfd
