"""A built history for the indicators (issue 15): policies moved through the real services on chosen days, with
the live figures read on the day at each checkpoint, before anything later could change them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from assessments.services import (
    monitoring_report_create,
    monitoring_report_pass_qa,
    monitoring_report_publish,
    monitoring_report_submit,
)
from lifecycle import services as s
from lifecycle.due import REVIEW
from lifecycle.models import Policy
from lifecycle.services import people as people_services
from tests.factories import advance_to, emergency_approve, fill_development, reload, take_step, the_year_due
from tests.oversight.scenario import RISK, cast_of_group2, on

SECTIONS = {"compliance": "Dip samples: 96% compliant.", "benefits": "Complaints down 12%.",
            "diversity_impact": "No disproportionality found."}


@dataclass
class History:
    policies: dict[str, Policy]
    cast2: object
    # checkpoint day -> {business group id: (policies in force, reviews overdue)}, read live on the day
    live: dict[datetime.date, dict[int, tuple[int, int]]] = field(default_factory=dict)


def live_review_figures(day: datetime.date) -> dict[int, tuple[int, int]]:
    """As the register stands on ``day``: in force (with a review date) and overdue, by business group."""
    rows = (Policy.objects.filter(REVIEW.applies()).order_by().values("business_group_id")
            .annotate(in_force=Count("pk"), overdue=Count("pk", filter=REVIEW.overdue(day))))
    return {row["business_group_id"]: (row["in_force"], row["overdue"]) for row in rows}


def monitoring_report(policy, cast, *, submitted: datetime.date, published: datetime.date) -> None:
    with on(submitted):
        report = monitoring_report_create(policy=reload(policy), actor=cast.developer, **the_year_due(policy),
                                          **SECTIONS)
        monitoring_report_submit(report=report, actor=cast.developer)
        monitoring_report_pass_qa(report=report, actor=cast.coordinator)
    with on(published):
        monitoring_report_publish(report=report, actor=cast.pcu)


def build_history(people) -> History:
    cast2 = cast_of_group2(people)
    made: dict[str, Policy] = {}
    history = History(policies=made, cast2=cast2)

    def make(name, day, status, cast=people, **fields):
        with on(day):
            policy = people.policy(title=f"History {name}", actor=cast.developer, business_group=cast.group,
                                   owning_unit=cast.unit, designated_lead=cast.lead, coordinator=cast.coordinator,
                                   owner=cast.owner, policy_manager=cast.manager, developers=[cast.developer],
                                   **fields)
            made[name] = advance_to(policy, status, cast)

    make("P1", datetime.date(2023, 1, 10), "implementation")  # review 2026-01-10, monitoring 2024-01-10
    make("P2", datetime.date(2023, 2, 1), "implementation", cast2)  # monitoring 2024-02-01
    # P1's report on time (submitted 2024-01-03); P2's late (2024-03-01, a month after its date).
    monitoring_report(made["P1"], people, submitted=datetime.date(2024, 1, 3), published=datetime.date(2024, 1, 8))
    monitoring_report(made["P2"], cast2, submitted=datetime.date(2024, 3, 1), published=datetime.date(2024, 3, 4))
    history.live[datetime.date(2024, 3, 31)] = live_review_figures(datetime.date(2024, 3, 31))

    # P3 through approval: 7 days in QA, 3 with the Lead, 4 awaiting publication (Q2 2025).
    make("P3", datetime.date(2025, 6, 2), "development")
    with on(datetime.date(2025, 6, 2)):
        fill_development(reload(made["P3"]), people)
        take_step(reload(made["P3"]), people, "submitted_for_qa")
    for day, target in ((datetime.date(2025, 6, 9), "qa_passed"), (datetime.date(2025, 6, 10), "with_lead"),
                        (datetime.date(2025, 6, 13), "approved"), (datetime.date(2025, 6, 16), "awaiting_publication"),
                        (datetime.date(2025, 6, 20), "implementation")):
        with on(day):
            take_step(reload(made["P3"]), people, target)

    # Q3 2025: an emergency approval and a withdrawal, both in Specialist Crime & Operations.
    make("P4", datetime.date(2025, 9, 1), "development", cast2)
    with on(datetime.date(2025, 9, 1)):
        s.draft_update(policy=reload(made["P4"]), actor=cast2.developer, statement="<p>Interim procedure.</p>")
        emergency_approve(reload(made["P4"]), cast2, risk_statement=RISK, pcu=people.pcu)
    with on(datetime.date(2025, 9, 15)):
        take_step(reload(made["P2"]), cast2, "withdrawn", reason="Replaced by national guidance.")

    # January 2026: P1's review falls overdue (due 2026-01-10).
    history.live[datetime.date(2026, 1, 31)] = live_review_figures(datetime.date(2026, 1, 31))

    # Afterwards, things that must not change the past: P3's review brought forward (so it is overdue now) and P1
    # moved to Specialist Crime & Operations.
    with on(datetime.date(2026, 2, 10)):
        s.policy_set_review_date(policy=reload(made["P3"]), actor=people.lead,
                                 review_due_on=datetime.date(2026, 2, 16), reason="Legislation changed.")
        people_services.policy_move_business_group(
            policy=reload(made["P1"]), actor=people.pcu, business_group=people.group2, owning_unit=people.unit2,
            reason="SOP: PCU resolves boundary issues for ownership of policy.",
            holders={"designated_lead": cast2.lead, "coordinator": cast2.coordinator, "owner": cast2.owner,
                     "policy_manager": cast2.manager, "developer": cast2.developer})
    history.live[datetime.date(2026, 2, 28)] = live_review_figures(datetime.date(2026, 2, 28))
    history.policies = {name: reload(policy) for name, policy in made.items()}
    return history
