"""Hand-built histories for the oversight tests: policies driven through the real services on chosen days
(time-machine), so that every figure has a policy behind it and one beside it that must not be counted."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

import time_machine

from core.models import Role, User
from lifecycle import services as s
from lifecycle.models import Policy
from tests.factories import advance_to, emergency_approve, reload, take_step, user_with_role

# A Monday: ten working days after 2026-02-13 (a Friday) is 2026-02-27, so what has waited since 2026-02-13 is stuck.
TODAY = datetime.date(2026, 3, 2)
RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


def cast_of_group2(people):
    """``people`` with Specialist Crime & Operations' cast in every part, for advance_to."""
    owner2 = user_with_role(Role.OWNER, people.group2, username="owner2")
    manager2 = user_with_role(Role.MANAGER, people.group2, username="manager2")
    return dataclasses.replace(people, group=people.group2, unit=people.unit2, developer=people.developer2,
                               manager=manager2, coordinator=people.coordinator2, lead=people.lead2, owner=owner2)


@dataclass
class World:
    people: object
    cast2: object
    leaver: User
    policies: dict[str, Policy]

    def ref(self, name: str) -> str:
        return self.policies[name].reference


def build_world(people) -> World:
    """Territorial Policing (the co-ordinator's group), as of TODAY:
      A review overdue (due 2026-01-10) and monitoring overdue; B review due soon (2026-06-01), monitoring overdue;
      C monitoring due soon (2026-03-15); D in QA since 2026-02-13 (stuck); E with the Lead since then (stuck);
      F awaiting publication since then (stuck); G in QA since 2026-02-26 (not stuck); H approved by the emergency
      route on 2026-02-10, its EIA due 2026-03-10, not sent to PCU since (stuck); I in date, but a developer named
      on it has left.
    Specialist Crime & Operations: J in date; S OFFICIAL-SENSITIVE, review and monitoring overdue; K withdrawn with
    an old review date (counted nowhere)."""
    cast2 = cast_of_group2(people)
    leaver = user_with_role(Role.DEVELOPER, people.group, username="leaver", first_name="Owain",
                            last_name="Bracegirdle")
    made: dict[str, Policy] = {}

    def make(name, day, status, cast=people, **fields):
        with on(day):
            if cast is people:
                policy = people.policy(title=f"Policy {name}", **fields)
            else:
                policy = people.policy(title=f"Policy {name}", actor=cast.developer, business_group=cast.group,
                                       owning_unit=cast.unit, designated_lead=cast.lead, coordinator=cast.coordinator,
                                       owner=cast.owner, policy_manager=cast.manager, developers=[cast.developer],
                                       **fields)
            made[name] = advance_to(policy, status, cast)

    make("K", datetime.date(2022, 3, 1), "implementation", cast2)
    make("S", datetime.date(2022, 6, 1), "implementation", cast2, protective_marking="official_sensitive",
         suitable_for_publication_scheme=False)
    make("A", datetime.date(2023, 1, 10), "implementation")
    make("B", datetime.date(2023, 6, 1), "implementation")
    with on(datetime.date(2025, 1, 6)):
        take_step(reload(made["K"]), cast2, "withdrawn", reason="Replaced by national guidance.")
    make("C", datetime.date(2025, 3, 15), "implementation")
    make("J", datetime.date(2025, 6, 2), "implementation", cast2)
    make("I", datetime.date(2025, 9, 1), "implementation", developers=[people.developer, leaver])
    stuck_since = datetime.date(2026, 2, 13)
    make("D", stuck_since, "submitted_for_qa")
    make("E", stuck_since, "with_lead")
    make("F", stuck_since, "awaiting_publication")
    make("G", datetime.date(2026, 2, 26), "submitted_for_qa")
    make("H", datetime.date(2026, 2, 10), "development")
    with on(datetime.date(2026, 2, 10)):
        s.draft_update(policy=made["H"], actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
        emergency_approve(reload(made["H"]), people, risk_statement=RISK, pcu=people.pcu)
    # The leaver's account was closed (before issue 12 refused that while they held anything).
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    return World(people=people, cast2=cast2, leaver=leaver,
                 policies={name: Policy.objects.get(pk=policy.pk) for name, policy in made.items()})


# The figures as of TODAY, worked out by hand from the history above.
TP_FIGURES = {
    "review_overdue": 1, "review_due_soon": 1, "monitoring_overdue": 2, "monitoring_due_soon": 1,
    "stuck_commissioning": 0, "stuck_qa": 1, "stuck_forward_to_lead": 0, "stuck_lead": 1,
    "stuck_forward_for_publication": 1, "stuck_publication": 1, "stuck_withdrawal": 0, "emergency_eia": 1,
    "orphaned": 1, "rag_red": 2, "rag_amber": 6, "rag_green": 1,
}
TP_POLICIES = 9
# As PCU sees Specialist Crime & Operations (S included; K withdrawn: in the count of policies, in no figure).
SCO_FIGURES_PCU = {**dict.fromkeys(TP_FIGURES, 0), "review_overdue": 1, "monitoring_overdue": 1, "rag_red": 1,
                   "rag_green": 1}
# As Territorial Policing's Lead sees it: S is OFFICIAL-SENSITIVE and K is withdrawn, so only J.
SCO_FIGURES_LEAD = {**dict.fromkeys(TP_FIGURES, 0), "rag_green": 1}
