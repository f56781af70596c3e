"""Help is generated from the step declarations (guidance.help, lifecycle.workflow). Found by the QA crawl on the
demo (finding 5): the stages listed a page once per step on it ("Approve or reject" twice, the second with no one
taking it), steps with no one taking them, steps filed by the first of their source statuses ("Start a review"
under 5. Implementation, "Respond to a monitoring report" under 1. Identification and scoping), an empty stage 6,
role pages with a row twice, and nested brackets in the Lead's summary."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from core.glossary import GLOSSARY, PLURALS
from guidance import help as role_help
from lifecycle import workflow
from lifecycle.states import PolicyKind, Stage, Status
from lifecycle.steps import Cycle, ImproperlyDeclared, Step

pytestmark = pytest.mark.django_db


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _stages(client) -> dict[str, list[str]]:
    """/help/'s "The six stages, and who does what": each stage's heading and its rows, as read."""
    tree = lxml_html.fromstring(client.get("/help/").content)
    return {_text(item.find("h3")): [_text(row) for row in item.findall(".//li")]
            for item in tree.xpath("//ol[contains(@class, 'app-help-stages')]/li")}


def _nested_brackets(text: str) -> list[str]:
    """The places in ``text`` where a bracket opens inside another."""
    depth, found = 0, []
    for index, character in enumerate(text):
        if character == "(":
            depth += 1
            if depth > 1:
                found.append(text[max(0, index - 60):index + 60])
        elif character == ")":
            depth = max(0, depth - 1)
    return found


def test_each_stage_lists_each_page_once_and_who_takes_it(client):
    stages = _stages(client)
    assert list(stages) == [stage.label for stage in Stage if stage != Stage.WITHDRAWN]
    rows = [row for shown in stages.values() for row in shown]
    titles = [row.partition(":")[0] for row in rows]
    assert len(titles) == len(set(titles)), f"a page listed twice: {titles}"
    # "Approve or reject: the Designated Lead." and never "Approve or reject." beside it.
    unowned = [row for row in rows if ": " not in row.removeprefix("Conclude the review: no change needed")]
    assert not unowned, f"rows that say no one takes them: {unowned}"
    for step in (workflow.DECLINE_COMMISSIONING, workflow.SET_REVIEW_DATE):
        assert f"{step.page.title}: {step.taken_by}." in rows, step.name


def test_every_step_with_a_page_says_who_takes_it():
    """What help (and "Next: ..., by ...") says of a page's steps: a rejection or a refusal of emergency approval
    is its page's too."""
    assert not [step.name for step in workflow.STEPS if step.page and not step.taken_by]


def test_every_stage_has_its_steps_and_the_review_is_in_monitoring_and_review(client):
    stages = _stages(client)
    assert all(stages.values()), f"a stage with no steps: {[label for label, rows in stages.items() if not rows]}"

    def stage_of(title: str) -> str:
        return next(label for label, rows in stages.items() if any(row.startswith(f"{title}:") for row in rows))

    for step in (workflow.RESPOND_TO_MONITORING, workflow.DECIDE_WITHDRAWAL, workflow.WITHDRAW,
                 workflow.START_REVIEW, workflow.CONCLUDE_NO_CHANGE, workflow.CONFIRM_EIA,
                 workflow.REPUBLISH_NO_CHANGE, workflow.SET_REVIEW_DATE):
        assert stage_of(step.page.title) == Stage.MONITORING.label, step.name
    assert stage_of(workflow.REQUEST_COMMISSIONING.page.title) == Stage.SCOPING.label
    assert stage_of(workflow.COMPLETE_IMPLEMENTATION.page.title) == Stage.IMPLEMENTATION.label


def test_publication_is_in_implementation_where_the_sop_places_it(client):
    """/help/ listed "Send to PCU for publication" and "Publish" under 4. Approval, filed by their statuses (approved,
    awaiting publication), then of stage 4; they are of stage 5 now (lifecycle.states.STAGE_OF). SOP, "5.
    Implementation": "If approval for publication is given, final versions of the above documents are to be sent to the
    Policy Co-ordination Unit to arrange publication: on the Corporate Policy Intranet, in Notices, on the MPS
    Publication Scheme." Stage 4 ends with the Lead's decision."""
    stages = _stages(client)
    titles = {label: [row.partition(":")[0] for row in rows] for label, rows in stages.items()}
    assert titles[Stage.IMPLEMENTATION.label] == [workflow.FORWARD_FOR_PUBLICATION.page.title,
                                                  workflow.PUBLISH.page.title,
                                                  workflow.COMPLETE_IMPLEMENTATION.page.title]
    assert workflow.FORWARD_FOR_PUBLICATION.page.title not in titles[Stage.APPROVAL.label]
    assert workflow.PUBLISH.page.title not in titles[Stage.APPROVAL.label]
    assert titles[Stage.APPROVAL.label][-1] == workflow.APPROVE.page.title
    for step in (workflow.FORWARD_FOR_PUBLICATION, workflow.PUBLISH, workflow.COMPLETE_IMPLEMENTATION):
        assert step.in_stage == Stage.IMPLEMENTATION, step.name


def test_a_corporate_step_open_from_several_stages_must_declare_its_stage():
    """Filed by the first of its statuses, such a step went to the wrong stage (or none): it is refused instead."""
    def step(**declared) -> Step:
        return Step(name="respond", source=(Status.SCOPING, Status.MONITORING), target=None,
                    permission="lifecycle.respond_to_monitoring", label="respond", doc="SOP.",
                    audit=workflow.RESPOND_TO_MONITORING.audit, **declared)

    with pytest.raises(ImproperlyDeclared, match="declare its stage"):
        Cycle((step(),))
    assert Cycle((step(stage=Stage.MONITORING),)).by_name["respond"].in_stage == Stage.MONITORING
    # A local work instruction's steps are not the six stages'.
    Cycle((step(kinds=(PolicyKind.LOCAL,)),))


def test_local_work_instructions_are_apart_from_the_six_stages(client):
    """SOP, "Local Work Instructions": they "sit outside of the corporate policy development process"."""
    rows = [row for shown in _stages(client).values() for row in shown]
    assert not [row for row in rows if "local work instruction" in row]
    page = client.get("/help/").content.decode()
    assert workflow.APPROVE_LOCAL.page.title in page and workflow.AGREE_LOCAL_SUPPLEMENT.page.title in page


@pytest.mark.parametrize("role", role_help.ROLES, ids=lambda role: role.slug)
def test_a_role_page_names_each_page_once(client, role):
    tree = lxml_html.fromstring(client.get(f"/help/{role.slug}/").content)
    labels = [_text(key) for key in tree.xpath("//dt[contains(@class, 'govuk-summary-list__key')]")]
    assert len(labels) == len(set(labels)), labels
    # One row for each page the role's steps are taken on: none left out.
    assert len(labels) == len({step.page.slug for step in role.steps})


def test_the_lead_reads_both_the_approval_and_the_rejection():
    rows = {row.title: row.docs for row in role_help.ROLES_BY_SLUG["lead"].rows}
    assert rows[workflow.DECISION_PAGE.title] == (workflow.APPROVE.doc, workflow.REJECT.doc)


@pytest.mark.parametrize("path", ["/help/", *(f"/help/{role.slug}/" for role in role_help.ROLES)])
def test_help_has_no_brackets_inside_brackets(client, path):
    """/help/lead/ read "a chief officer (Association of Chief Police Officers (its rank: a chief officer) (ACPO)
    rank)"."""
    tree = lxml_html.fromstring(client.get(path).content)
    main = tree.xpath("//main")[0]
    text = re.sub(r"\s+", " ", main.text_content())
    assert not _nested_brackets(text), _nested_brackets(text)


def test_no_abbreviation_is_expanded_with_brackets_of_its_own():
    """An expansion is followed by its abbreviation in brackets on its first use on a page: brackets of its own
    ("Association of Chief Police Officers (its rank: a chief officer) (ACPO)") read as two asides, or one inside
    another."""
    assert not [short for short, expansion in {**GLOSSARY, **PLURALS}.items() if "(" in expansion]
