"""One force for the permission tests, the policies it walks through the cycle, and the cases asked of it.

The personas of ``rules_table.PERSONAS`` hold their roles in the "own" business group (Territorial Policing)
or force-wide. The "other" group (Specialist Crime & Operations) has its own cast, who do its work. For every
protective marking x business group x author of the current version there is one policy, and the world walks
all of them together through the cycle (``World.at(status)``), through the real services, so that every
question about a status is asked while the policies are really in it. Going back to an earlier status
rolls back to the savepoint taken when the policies were created and walks forward again.

Every policy carries an OFFICIAL SOP and an OFFICIAL-SENSITIVE SOP. In scoping the scoping research is
recorded and in development the package is completed at once (SHRMT consulted, EIA and Workbook filled in),
so that the actions there can really be taken. SHRMT is also consulted from scoping on the policies that the
``pcu_dcfd_doi`` persona started. OFFICIAL policies are published on the Publication Scheme too. A policy is
withdrawn after it has been published and monitored.

The cases are generated from this description (``facts_for``) at collection time; the world is built to
match it, and the scenario ``test_visibility.the_world_is_as_the_cases_describe_it`` checks that it does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from tests.permissions import rules_table as spec

OWN_GROUP = ("Territorial Policing", "tp")
OTHER_GROUP = ("Specialist Crime & Operations", "sco")
BASE = "base"  # the other group's policy started by that group's own developer (no persona)

# Who started (and so wrote the current version of) each policy, per group. The personas hold their group
# roles in the own group; those with no home group are asked ("any") about the other group's policies.
AUTHORS: dict[str, tuple[str, ...]] = {
    spec.OWN: ("developer", "lead_developer"),
    spec.OTHER: (BASE, "pcu_dcfd_doi"),
}
POLICY_GROUP = {spec.OWN: spec.OWN, spec.OTHER: spec.OTHER, spec.ANY: spec.OTHER}
CONSULTED_FROM_SCOPING = frozenset({"pcu_dcfd_doi"})
SENSITIVE_SOP_TEXT = "Covert deployment steps: restricted to those with a role."
OFFICIAL_SOP_TEXT = "Routine briefing steps for all officers."


def facts_for(status: str, marking: str, group: str, author: str) -> spec.PolicyFacts:
    """What the cases expect of the policy of that variant at that point of the axis (``status``: a status, or
    "under_review:<status>"; group: as asked)."""
    real, under_review = spec.real_status(status)
    # The "developer" persona is named on every policy; in the other group without holding the role there.
    named = {"developer"}
    if author == "lead_developer":
        named.add("lead_developer")  # started it while holding the developer role, so named on it
    # SOP stage 3: SHRMT "must be consulted" in development; the walk does it on arriving there (and a policy
    # under review was consulted on in its first cycle).
    consulted_in_development = under_review or real not in (spec.SCOPING, spec.COMMISSIONING)  # incl. withdrawn
    return spec.PolicyFacts(
        status=real,
        marking=marking,
        group=group,
        author="" if author == BASE else author,
        named=frozenset(named),
        shrmt_consulted=consulted_in_development or author in CONSULTED_FROM_SCOPING,
        # OFFICIAL policies are published on the Publication Scheme as well (withdrawal takes them off it; a
        # policy under review stays on it with its version in force).
        on_scheme=marking == spec.OFFICIAL and (real in (*spec.PUBLISHED, spec.WITHDRAWN) or under_review),
        under_review=under_review,
        # The own group's policies name the "lead" persona as their designated Lead; the other group's name its own.
        named_lead="lead" if group == spec.OWN else "",
    )


def policy_variants():
    """(marking, group, author) of every policy in the world."""
    for group, authors in AUTHORS.items():
        for author in authors:
            for marking in spec.MARKINGS:
                yield marking, group, author


# --- the cases -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    persona: spec.Persona
    status: str
    marking: str
    group: str
    relation: str
    action: str
    variant: tuple[str, str, str]   # (marking, group, author) of the policy asked about (its real group)
    allowed: bool

    @property
    def id(self) -> str:
        return f"{self.persona.label}-{self.status}-{self.marking}-{self.group}-{self.relation}-{self.action}"

    @property
    def facts(self) -> spec.PolicyFacts:
        return facts_for(self.status, self.marking, self.group, self.variant[2])

    @property
    def may_see(self) -> bool:
        return spec.expected(spec.VIEW, self.persona, self.facts)


def variant_for(persona: spec.Persona, status: str, group: str, relation: str) -> str | None:
    """Which author's policy answers for this persona and relation, or None if the world has no such policy."""
    authors = AUTHORS[POLICY_GROUP[group]]
    if relation == "author":
        return persona.label if persona.label in authors else None
    if relation == "notauthor":
        return next(author for author in authors if author != persona.label)
    wanted = relation == "consulted"
    return next((author for author in authors
                 if facts_for(status, spec.OFFICIAL, group, author).shrmt_consulted is wanted), None)


def generate_cases(actions=spec.ACTIONS, personas=spec.PERSONAS) -> list[Case]:
    """Every combination, in the order of the cycle (so the world walks forward while they are asked)."""
    cases = []
    for status in spec.AXIS:
        for persona in personas:
            for group, relation in persona.asked:
                author = variant_for(persona, status, group, relation)
                if author is None:
                    continue  # SHRMT not consulted on a policy in development or later: cannot happen
                for marking in spec.MARKINGS:
                    if status in spec.REVIEW_AXIS and marking != spec.OFFICIAL:
                        # Under review, OFFICIAL policies only: what an OFFICIAL-SENSITIVE policy under review shows
                        # is test_visibility's under_review scenario, and the matrix must stay fast.
                        continue
                    variant = (marking, POLICY_GROUP[group], author)
                    facts = facts_for(status, marking, group, author)
                    for action in actions:
                        if action == spec.VIEW_ON_SCHEME and persona.signed_in:
                            continue  # the public scheme is the same for everyone: asked as an anonymous visitor
                        cases.append(Case(
                            persona=persona, status=status, marking=marking, group=group, relation=relation,
                            action=action, variant=variant, allowed=spec.expected(action, persona, facts),
                        ))
    return cases


# --- building and walking it -----------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]                                  # persona label -> User
    cast: dict[str, object]                                   # the other users who do the work
    crews: dict[str, SimpleNamespace]                         # per group: who does each step
    policy_ids: dict[tuple[str, str, str], int]               # variant -> policy pk
    sensitive_sops: dict[int, int]                            # policy pk -> its OFFICIAL-SENSITIVE SOP's pk
    clients: dict[str, object]                                # persona label -> signed-in test Client
    created: str                                              # savepoint id: the policies just created
    status: str = spec.SCOPING                                # a point of spec.AXIS
    monitored: str | None = None                              # savepoint id: every policy in monitoring
    policies: dict[tuple[str, str, str], object] = field(default_factory=dict)

    def user(self, persona: spec.Persona):
        if not persona.signed_in:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser()
        return self.users[persona.label]

    def at(self, status: str) -> World:
        """Bring every policy to ``status``, a point of ``spec.AXIS`` (walking forward, or going back to the
        savepoint of monitoring or of creation and walking forward from there), and reload them."""
        from django.db import connection

        assert not connection.savepoint_ids, "World.at() inside a savepoint would walk in a rolled-back branch"
        if status != self.status or not self.policies:
            path = path_to(status)
            if self.status not in path:
                if self.monitored is not None and spec.MONITORING in path:
                    transaction.savepoint_rollback(self.monitored)
                    self.status = spec.MONITORING
                else:
                    transaction.savepoint_rollback(self.created)  # also undoes the savepoint of monitoring
                    self.status, self.monitored = spec.SCOPING, None
            for step in path[path.index(self.status) + 1:]:
                for variant, policy_id in self.policy_ids.items():
                    _step_to(step, policy_id, self.crews[variant[1]])
                self.status = step
                if step == spec.MONITORING and self.monitored is None:
                    self.monitored = transaction.savepoint()
            self.reload()
        return self

    def reload(self) -> None:
        """Fresh policies, and users without what they cached about the policies as they were (the matrix asks
        the permissions of these very user objects, in-process)."""
        from lifecycle.models import Policy
        from lifecycle.permissions import forget_roles

        by_id = Policy.objects.in_bulk(self.policy_ids.values())
        self.policies = {variant: by_id[policy_id] for variant, policy_id in self.policy_ids.items()}
        for user in self.users.values():
            forget_roles(user)

    def policy(self, variant):
        return self.policies[variant]

    def attempt(self, function):
        """Run ``function()`` in a savepoint that is always rolled back, and return ("ok", its value) or
        ("error", the exception). The world is as before afterwards, including what is cached in memory."""
        outcome = None
        try:
            with transaction.atomic():
                try:
                    outcome = ("ok", function())
                except Exception as error:  # noqa: BLE001 - handed back for the caller to assert on
                    outcome = ("error", error)
                raise _Rollback
        except _Rollback:
            pass
        self.reload()
        return outcome


def build_world() -> World:
    """Users, roles, and every policy created in scoping. Call inside a transaction."""
    from django.test import Client

    from core.models import ApprovalRoute, Board, BusinessGroup, Unit
    from tests.factories import UserFactory, user_with_role

    group = BusinessGroup.objects.create(name=OWN_GROUP[0], code=OWN_GROUP[1])
    other = BusinessGroup.objects.create(name=OTHER_GROUP[0], code=OTHER_GROUP[1])
    unit = Unit.objects.create(business_group=group, name="Response and Patrol")
    other_unit = Unit.objects.create(business_group=other, name="Serious Crime")
    for business_group in (group, other):
        board = Board.objects.create(name=f"{business_group.name} Chief Officer Group",
                                     business_group=business_group, remit="Approves policy.")
        for tier in ("high", "medium", "low"):
            ApprovalRoute.objects.create(risk_tier=tier, business_group=business_group, board=board)

    users = {}
    for persona in spec.PERSONAS:
        if persona.signed_in:
            user = UserFactory(username=persona.label, is_superuser=persona.superuser, is_staff=persona.superuser)
            for role in persona.force_roles:
                _grant(user, role, None)
            for role in persona.group_roles:
                _grant(user, role, group, unit=unit if role == "manager" else None)
            users[persona.label] = user
    cast = {
        "developer_other": user_with_role("developer", other, username="developer_other"),
        "lead_other": user_with_role("lead", other, username="lead_other"),
        "coordinator_other": user_with_role("coordinator", other, username="coordinator_other"),
        # A developer of the other group named on none of its policies: whom PCU adds on the people page (issue 12).
        "developer_spare": user_with_role("developer", other, username="developer_spare"),
        # Does PCU's steps of the walk, so that the PCU personas never sign off, publish or withdraw anything.
        "pcu_clerk": user_with_role("pcu", username="pcu_clerk"),
        # PCU's QA sign-off, by someone other than the publisher (issue 11: separation of duties).
        "pcu_qa_clerk": user_with_role("pcu", username="pcu_qa_clerk"),
    }
    crews = {
        spec.OWN: SimpleNamespace(developer=users["developer"], lead=users["lead"], coordinator=users["coordinator"],
                                  pcu=cast["pcu_clerk"], pcu_qa=cast["pcu_qa_clerk"], dcfd=users["dcfd"],
                                  doi=users["doi"], group=group, unit=unit),
        spec.OTHER: SimpleNamespace(developer=cast["developer_other"], lead=cast["lead_other"],
                                    coordinator=cast["coordinator_other"], pcu=cast["pcu_clerk"],
                                    pcu_qa=cast["pcu_qa_clerk"], dcfd=users["dcfd"], doi=users["doi"], group=other,
                                    unit=other_unit),
    }
    policy_ids, sensitive_sops = {}, {}
    for variant in policy_variants():
        marking, group_key, author = variant
        crew = crews[group_key]
        policy, sensitive_sop = _create_policy(
            crew, crew.developer if author == BASE else users[author], marking=marking,
            consult_shrmt=author in CONSULTED_FROM_SCOPING,
            also_named=[users["developer"]] if group_key == spec.OTHER else [],
        )
        policy_ids[variant] = policy.pk
        sensitive_sops[policy.pk] = sensitive_sop.pk
    clients = {}
    for persona in spec.PERSONAS:
        # Signed in before the savepoint, so that going back to scoping keeps the sessions.
        clients[persona.label] = Client()
        if persona.signed_in:
            clients[persona.label].force_login(users[persona.label])
    world = World(users=users, cast=cast, crews=crews, policy_ids=policy_ids, sensitive_sops=sensitive_sops,
                  clients=clients, created=transaction.savepoint())
    world.reload()
    return world


def _grant(user, role, business_group, unit=None):
    from core.services import role_assign
    from lifecycle.permissions import forget_roles

    role_assign(actor=None, user=user, role=role, business_group=business_group, unit=unit)
    forget_roles(user)


def _create_policy(crew, starter, *, marking, consult_shrmt, also_named):
    from lifecycle import services
    from lifecycle.models import ConsulteeType
    from tests.factories import fill_scoping

    policy = services.policy_create(
        actor=starter, title=f"Policy started by {starter.username}", purpose="To set out practice.",
        relevant_to="All officers and staff.", business_group=crew.group, owning_unit=crew.unit,
        protective_marking=marking, suitable_for_publication_scheme=marking == spec.OFFICIAL,
        designated_lead=crew.lead, coordinator=crew.coordinator, developers=[crew.developer, *also_named],
    )
    services.sop_create(policy=policy, actor=crew.developer, title="Briefing procedure", text=OFFICIAL_SOP_TEXT)
    sensitive_sop = services.sop_create(policy=policy, actor=crew.developer, title="Deployment procedure",
                                        text=SENSITIVE_SOP_TEXT, protective_marking=spec.OFFICIAL_SENSITIVE)
    if consult_shrmt:
        services.consultation_record(
            policy=policy, actor=crew.developer, consultee="Health and safety adviser",
            organisation="Safety and Health Risk Management Team", consultee_type=ConsulteeType.SHRMT,
            date_sent=timezone.localdate() - datetime.timedelta(days=2),
        )
    fill_scoping(policy, crew)  # so that commissioning can really be requested
    return policy, sensitive_sop


def path_to(status: str) -> list[str]:
    """The points of the axis the world passes through from scoping to ``status``: the cycle to monitoring,
    then either withdrawal or a review (its new version through scoping ... awaiting publication)."""
    if status in spec.REVIEW_AXIS:
        return [*spec.STATUSES[: spec.STATUSES.index(spec.MONITORING) + 1],
                *spec.REVIEW_AXIS[: spec.REVIEW_AXIS.index(status) + 1]]
    return list(spec.STATUSES[: spec.STATUSES.index(status) + 1])


def _step_to(status: str, policy_id: int, crew) -> None:
    """One step along the axis, by the person of ``crew`` whose job it is, through the services
    (``tests.factories.take_step``; a review is started by the co-ordinator). Arriving in development, the
    package is completed at once, so that it can be submitted, or approved in an emergency, there."""
    from lifecycle import services
    from lifecycle.models import Policy
    from tests.factories import fill_development, fill_scoping, take_step

    policy = Policy.objects.get(pk=policy_id)
    real, under_review = spec.real_status(status)
    if under_review and real == spec.SCOPING:
        # The co-ordinator does not draft, so the new version's author stays the previous one's.
        services.policy_start_review(policy=policy, actor=crew.coordinator, reason="Three-year review.")
        fill_scoping(Policy.objects.get(pk=policy_id), crew)
        return
    take_step(policy, crew, real, on_publication_scheme=policy.protective_marking == spec.OFFICIAL,
              reason="Superseded by national guidance.")
    if real == spec.DEVELOPMENT:
        fill_development(Policy.objects.get(pk=policy_id), crew)


def sandboxed(world: World, function):
    """Run ``function()`` in a rolled-back savepoint and return its value, re-raising what it raised."""
    outcome, value = world.attempt(function)
    if outcome == "error":
        raise value
    return value


class _Rollback(Exception):
    """Leaves a ``transaction.atomic`` block so that it is undone."""
