"""The timeline read by people (issue 17): a sentence for every audit action, full names with roles, changes by
field label with before and after, one date format; the recorded event itself only for PCU."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.events import AuditAction
from core.models import Role
from lifecycle import services, timeline, workflow
from lifecycle.services.people import policy_reassign
from tests.factories import advance_to, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", list(AuditAction), ids=lambda action: action.value)
def test_every_audit_action_has_a_sentence(action):
    # A new AuditAction without its line in lifecycle.timeline.SENTENCES (or ``done=`` on its step) fails here.
    assert timeline.sentence_for(action.value), f"{action.value} has no sentence: add it to timeline.SENTENCES"


def test_a_steps_sentence_is_declared_once_on_the_step():
    for step in workflow.STEPS:
        assert step.done, f"the step {step.name} declares no 'done' sentence"
        assert step.audit not in timeline.SENTENCES, f"{step.audit} is worded by its step; remove it from SENTENCES"


def _name(people, username):
    user = getattr(people, username)
    user.first_name, user.last_name = {
        "dcfd": ("Adaeze", "Nwankwo-Hale"), "lead": ("Morwenna", "Trelawney"), "developer": ("Idris", "Okafor"),
    }.get(username, (username.capitalize(), "Tester"))
    user.save(update_fields=["first_name", "last_name"])
    return user


# The role's abbreviation marked up, and expanded where the page first uses it (tests/web/test_every_page): then
# between commas, not in brackets that would hold the expansion's own.
DCFD_ABBR = '<abbr title="Diversity and Citizen Focus Directorate">DCFD</abbr>'
BY_ADAEZE = re.compile(rf"By Adaeze Nwankwo-Hale (\({DCFD_ABBR}\)|, Diversity and Citizen Focus Directorate "
                       rf"\({DCFD_ABBR}\),)")


def test_the_timeline_speaks_in_sentences_with_names_roles_and_labelled_changes(client, people, policy_in):
    for username in ("dcfd", "lead", "developer"):
        _name(people, username)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)):
        policy = policy_in("monitoring")
        services.policy_set_review_date(policy=policy, actor=people.lead, review_due_on=datetime.date(2027, 1, 14),
                                        reason="A critical incident.")
    client.force_login(people.coordinator)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "Quality assurance passed" in html
    assert BY_ADAEZE.search(html)
    assert "Approved (version 1.0)" in html and "By Morwenna Trelawney (Designated Lead)" in html
    assert "Review date brought forward" in html
    # The change as field label, before and after, in the one date format.
    assert "Review due" in html and "14 January 2027" in html
    assert "<del>2 March 2029</del>" in html
    assert "A critical incident." in html
    assert "2 March 2026, 10:00" in html
    # No codes, no usernames, no Python data for people.
    for code in ("policy.qa_signed_off.dcfd", "policy.review_date_brought_forward", "{&#x27;", "By dcfd"):
        assert code not in html
    # PCU sees the recorded event itself, for evidence.
    client.force_login(people.pcu)
    evidence = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "<code>policy.qa_signed_off.dcfd</code>" in evidence
    assert BY_ADAEZE.search(evidence)


def test_reassignment_changes_name_the_people(client, people, policy_in):
    policy = policy_in("development")
    _name(people, "developer")
    new_owner = user_with_role(Role.OWNER, people.group, username="owner2", first_name="Tamsin", last_name="Pryce")
    policy_reassign(policy=policy, actor=people.pcu, role="owner", new_holder=new_owner, reason="Moved.")
    client.force_login(people.pcu)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "Holder of a part in the policy changed" in html
    assert "Management Board owner" in html
    assert f"<del>{people.owner.get_full_name()}</del>" in html
    assert "Tamsin Pryce" in html


def test_the_timeline_costs_the_same_whatever_its_length(client, people, policy_in):
    # Two policies at the same point of the cycle, one with 20 more events: the same number of queries.
    short = policy_in("with_lead")
    long = policy_in("development")
    for index in range(20):
        services.draft_update(policy=long, actor=people.developer, statement=f"<p>Revision {index}.</p>")
    long = advance_to(long, "with_lead", people)
    client.force_login(people.pcu)

    def count(policy):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/policies/{policy.reference}/timeline/").status_code == 200
        return len(queries)

    count(short)  # the session's first page (the sign-in's own queries)
    assert count(long) == count(short)


def test_what_people_wrote_is_shown_as_text_with_its_line_breaks(client, people, policy_in):
    # The entries are written in Python (lifecycle/templatetags/policy_history.py): every value escaped as the
    # template's autoescape did, a reason's lines kept; the recorded event, for PCU, escaped too.
    people.lead.first_name, people.lead.last_name = "<i>Morwenna</i>", "Trelawney"
    people.lead.save(update_fields=["first_name", "last_name"])
    policy = policy_in("monitoring")
    services.policy_set_review_date(policy=policy, actor=people.lead, review_due_on=datetime.date(2027, 1, 14),
                                    reason="<script>alert('EIA')</script>\r\nSecond line & more.")
    client.force_login(people.pcu)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "<script>alert" not in html and "<i>Morwenna" not in html
    assert "&lt;script&gt;alert(&#x27;EIA&#x27;)&lt;/script&gt;<br>Second line &amp; more." in html
    assert "By &lt;i&gt;Morwenna&lt;/i&gt; Trelawney (Designated Lead)" in html
    assert "&#x27;reason&#x27;: &quot;&lt;script&gt;alert(&#x27;EIA&#x27;)&lt;/script&gt;\\r\\nSecond line" in html


@pytest.mark.parametrize("sees_drafts", [True, False])
def test_the_timeline_s_compiled_rows_are_the_orm_s(people, policy_in, sees_drafts):
    """lifecycle.timeline.PolicyEvents (statements compiled once, the policy's id a bigint marker) answers as the
    queryset it was compiled from: each page's rows and the count, for those who see the drafts and those who see
    only its public milestones."""
    from lifecycle.selectors import timeline_events

    policy = policy_in("monitoring")
    user = people.pcu if sees_drafts else people.developer2
    events = timeline.PolicyEvents(policy=policy, user=user)
    assert events.drafts is sees_drafts
    expected = list(timeline.event_rows(timeline_events(policy_id=policy.pk, drafts=sees_drafts)))
    assert expected and events.count() == len(expected)
    assert events[0:3] == expected[0:3] and events[2:50] == expected[2:50] and events[1:] == expected[1:]
    assert events[0:0] == []


@pytest.mark.parametrize("changes", [
    {}, [], None, "text", 3, 2.5, True,
    {"status": ["development", "approval"], "version": "1.0", "note": "It's \"quoted\" & <marked>"},
    {"z": 1, "a": {"y": [1, None, False], "b": {}}, "m": []},
    {"reason": "A long reason " * 8, "cycle": 2},
    {"parts": [["developer", "alice", "bob"], ["owner", None, "carol"]], "ünïcode": "naïve — “quotes”"},
    {"values": {"title": {"before": "Old", "after": "New"}}, "sections": ["statement"], "count": 10 ** 20},
])
def test_the_recorded_changes_are_written_as_pprint_writes_them(changes):
    from pprint import pformat

    assert timeline._recorded(changes) == pformat(changes)


@pytest.mark.parametrize(("object_type", "changes", "shown"), [
    # Choices by their labels, whichever object records them (found raw by the twelfth session's walk).
    ("lifecycle.policy", {"kind": "corporate", "protective_marking": "official", "risk_tier": "medium"},
     [("Kind", None, "Corporate policy"), ("Protective marking", None, "OFFICIAL"), ("Risk tier", None, "Medium")]),
    ("assessments.equalityimpactassessment", {"values": {"decision": {"before": None, "after": "no_major_change"}}},
     [("Decision", "(none)", "No major change needed")]),
    ("assessments.policyworkbook", {"values": {"health_and_safety_impact": {"before": "", "after": "impact"}}},
     [("Health and safety impact", "(none)", "The policy has a health and safety impact")]),
    ("lifecycle.consultationrecord", {"type": "shrmt"}, [("Consultee type", None, "Safety and Health Risk "
                                                                                   "Management Team")]),
    # A title and a summary recorded as [before, after]; a rich text's edit by its length, in words.
    ("lifecycle.sop", {"title": ["Tagging footage", "Retaining footage"], "text": {"length": [299, 90]}},
     [("Title", "Tagging footage", "Retaining footage"), ("Text", None, "Edited: 299 characters before, 90 after")]),
])
def test_recorded_values_are_shown_in_words(object_type, changes, shown):
    from lifecycle.timeline import describe_changes

    rows = describe_changes({"changes": changes, "object_type": object_type}, {})
    got = [(row.label, row.before, row.after) for row in rows]
    assert [(label, after) for label, _, after in got] == [(label, after) for label, _, after in shown]
    assert [before for _, before, _ in got] == [before for _, before, _ in shown]


def test_an_official_sensitive_sops_events_are_shown_only_to_those_cleared_for_it(client, people, policy_in):
    """Probe (F1): a colleague invited to advise, with no role in the policy's business group, read the title and
    marking of an OFFICIAL-SENSITIVE SOP in its "added" and "saved" events, though every other page (statement, PDF,
    revisions, compare) leaves that SOP out for them (``user_may_see_sensitive``)."""
    from lifecycle.services.advice import advice_invite
    from lifecycle.services.sops import sop_create, sop_update_draft
    from tests.factories import UserFactory

    policy = policy_in("development")
    secret = sop_create(policy=policy, actor=people.developer, title="ZEBRAOSSOP covert deployment",
                        protective_marking="official_sensitive")
    sop_update_draft(sop=secret, actor=people.developer, text="<p>Who deploys.</p>",
                     title="ZEBRAOSSOP covert deployment, revised")
    sop_create(policy=policy, actor=people.developer, title="Open briefing notes")
    adviser = UserFactory(username="adviser", unit=people.unit2)
    advice_invite(policy=policy, actor=people.developer, invitee=adviser)

    client.force_login(adviser)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "Advice invited" in html and "Open briefing notes" in html
    assert "ZEBRAOSSOP" not in html and "OFFICIAL-SENSITIVE" not in html
    # The count of events does not give them away either: the page counts what it lists.
    events = timeline.PolicyEvents(policy=policy, user=adviser)
    rows = events[0:]
    assert events.count() == len(rows)
    assert ("lifecycle.standardoperatingprocedure", str(secret.pk)) not in {(row["object_type"], row["object_id"])
                                                                             for row in rows}

    # Staff cleared for it (a role in its business group) still see them.
    client.force_login(people.developer)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "ZEBRAOSSOP covert deployment, revised" in html and "Open briefing notes" in html


def test_a_role_spelled_out_on_its_first_use_is_followed_by_one_comma():
    """QA walk (52): "By Jonah Whitcombe, Policy Co-ordination Unit (PCU),, 13 April 2024": the role spelled out
    between commas (ROLE_SPELLED_OUT), then the entry's own comma before the date."""
    from django.template import Context

    from lifecycle.templatetags.policy_history import entry_html

    entry = timeline.Entry(event={}, sentence="Published", actor="Jonah Whitcombe", role="PCU",
                           occurred="13 April 2024, 10:00", occurred_iso="2024-04-13T10:00:00+01:00")
    html = entry_html(Context({}), entry)
    assert re.search(r"By Jonah Whitcombe, Policy Co-ordination Unit \(<abbr [^>]*>PCU</abbr>\), <time ", html), html
    assert ",," not in html
