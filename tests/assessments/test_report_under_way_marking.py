"""The overview's "What to do next" names a monitoring report under way (submitted or quality-assured, QA walk of
2026-12-05, B: "Quality-assure the monitoring report"), but only to a reader who may read that report: one made
OFFICIAL-SENSITIVE stays so when a review re-marks its policy OFFICIAL, and its pages are withheld from staff not
cleared for the business group (assessments.selectors). For them, the page tells of no such report."""

from __future__ import annotations

import re

import pytest

from lifecycle.states import Status
from tests.factories import advance_to
from tests.library.helpers import staff
from tests.notifications.test_chase_report_marking import downgraded_while_in_qa, media_root  # noqa: F401

pytestmark = pytest.mark.django_db


def what_to_do_next(client, user, policy) -> str:
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    return text[text.index("What to do next"):text.index("Support links")]


def test_a_report_withheld_from_the_reader_is_not_named_as_what_comes_next(client, people,
                                                                           downgraded_while_in_qa):  # noqa: F811
    policy, report = downgraded_while_in_qa
    policy = advance_to(policy, Status.MONITORING, people)
    assert "monitoring report" in what_to_do_next(client, people.coordinator, policy).lower()
    for reader in (people.developer2, staff("reader", people.unit)):
        said = what_to_do_next(client, reader, policy)
        assert "quality-assure" not in said.lower() and "quality assurance" not in said.lower(), said


def test_a_steps_confirmation_names_the_report_only_to_a_reader_who_may_read_it(people,
                                                                               downgraded_while_in_qa):  # noqa: F811
    """Review of 2026-12-06 (LOW): the confirmation after a step ("Next: ...") read the report under way whatever its
    marking, and names it by its period now. It reads the report the reader may read, as the overview does."""
    from lifecycle import next_steps, workflow
    from lifecycle.report_work import report_work_for

    policy, report = downgraded_while_in_qa
    policy = advance_to(policy, Status.MONITORING, people)
    step = workflow.STEPS_BY_NAME["complete_implementation"]

    def said_to(user) -> str:
        return next_steps.after_step(step, policy, report=lambda: report_work_for(user, policy).under_way)

    assert "Quality-assure the monitoring report to" in said_to(people.coordinator)
    for reader in (people.developer2, staff("reader", people.unit)):
        said = said_to(reader)
        assert "quality-assure" not in said.lower() and "quality assurance" not in said.lower(), said
