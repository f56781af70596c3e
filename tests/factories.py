"""Test data, built through the real services wherever the domain has one.

Reference data (users, business groups, units, boards) is plain model factories. Role assignments and
policies are made through ``core.services.role_assign`` and ``lifecycle.services.policy_create`` so
that their audit events, versions, EIA and Workbook exist exactly as in production. ``advance_to``
drives a policy along the cycle by calling the same services a user would, as the person whose job it is.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field

import factory
from django.utils import timezone

from core.models import Board, BusinessGroup, Role, RoleAssignment, Unit, User
from core.services import role_assign
from lifecycle import services as lifecycle_services
from lifecycle.models import ConsulteeType, Policy
from lifecycle.permissions import forget_roles
from lifecycle.states import Status
from tests.reports import (  # noqa: F401 (re-exported)
    monitoring_up_to_date,
    report_hashes_shown,
    the_year_due,
    what_was_read_of_report,
)

DEMO_PASSWORD = "policyhub-demo"
# The minute of the approving board's meeting that the Lead's approval records (issue 13, tiered approval).
BOARD_MINUTE = "COG/2024/07"


# Names the people tests type and count the matches of (test_reassignment's Smiths, Ann Smith-Jones, Robin Roads and
# the "Robyn" nobody is called): nobody else is given one. Faker gave one person in forty the surname Smith, one in 500
# the first name Robin (one in 6,000 Robyn, 750 Ann): one of make_people's thirteen was one more match now and then.
SEARCHED_NAMES = frozenset({"smith", "robin", "robyn", "ann"})


def _unsearched_name(kind: str) -> str:
    """A Faker first or last name (``kind``) with none of ``SEARCHED_NAMES`` in it."""
    while True:
        name = factory.Faker(kind).evaluate(None, None, {"locale": None})
        if not any(searched in name.lower() for searched in SEARCHED_NAMES):
            return name


class UserFactory(factory.django.DjangoModelFactory):
    """A member of staff whose password is ``policyhub-demo`` (or ``UserFactory(password=...)``), set with
    ``set_password`` before the single INSERT."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(lambda: _unsearched_name("first_name"))
    last_name = factory.LazyFunction(lambda: _unsearched_name("last_name"))
    email = factory.LazyAttribute(lambda user: f"{user.username}@policyhub.test")
    job_title = "Police Staff"
    is_active = True
    password = DEMO_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, password=DEMO_PASSWORD, **kwargs):
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save(force_insert=True)
        return user


class BusinessGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Business Group {n}")
    code = factory.Sequence(lambda n: f"bg{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("business_group", "name")

    business_group = factory.SubFactory(BusinessGroupFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Board {n}")
    business_group = None
    remit = "Approves policy."


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    """Assigns through ``core.services.role_assign`` (so the audit event exists). Force-wide roles
    (PCU, DCFD, DOI, SHRMT) get no business group; the others default to a new one."""

    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.DEVELOPER
    business_group = factory.Maybe(
        factory.LazyAttribute(lambda assignment: assignment.role in {"pcu", "dcfd", "doi", "shrmt"}),
        yes_declaration=None,
        no_declaration=factory.SubFactory(BusinessGroupFactory),
    )
    unit = None
    actor = None

    @classmethod
    def _create(cls, model_class, *, actor=None, **kwargs):
        assignment = role_assign(actor=actor, **kwargs)
        forget_roles(kwargs["user"])
        return assignment


def user_with_role(role: str, business_group: BusinessGroup | None = None, **user_fields) -> User:
    user = UserFactory(**user_fields)
    RoleAssignmentFactory(user=user, role=role, business_group=business_group)
    return user


class PolicyFactory(factory.Factory):
    """``PolicyFactory(actor=developer, business_group=group, ...)``: a policy made by ``policy_create``,
    in scoping with draft version 1.0 and its empty EIA and Workbook."""

    class Meta:
        model = Policy

    business_group = factory.SubFactory(BusinessGroupFactory)
    owning_unit = factory.SubFactory(UnitFactory, business_group=factory.SelfAttribute("..business_group"))
    actor = factory.LazyAttribute(lambda policy: user_with_role(Role.DEVELOPER, policy.business_group))
    title = factory.Sequence(lambda n: f"Policy on operational matter {n}")
    purpose = "To set out how the force handles the matter consistently and lawfully."
    relevant_to = "All police officers and police staff."

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Policies exist only through lifecycle.services.policy_create.")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return lifecycle_services.policy_create(**kwargs)


# --- the people of one force --------------------------------------------------------------------


@dataclass
class People:
    """Everyone the cycle needs. Territorial Policing (``group``) holds the policies under test;
    Specialist Crime & Operations (``group2``) has its own Lead and developer, who must be refused."""

    group: BusinessGroup
    unit: Unit
    group2: BusinessGroup
    unit2: Unit
    developer: User
    manager: User
    coordinator: User
    lead: User
    owner: User
    pcu: User
    # A second PCU member: PCU's quality assurance and PCU's publication of the same version are two parts that
    # separation of duties gives to two people (lifecycle.duties), so the cycle's QA is signed by this one.
    pcu_qa: User
    dcfd: User
    doi: User
    shrmt: User
    lead2: User
    developer2: User
    coordinator2: User
    board: Board
    extra: dict = field(default_factory=dict)

    def policy(self, *, actor: User | None = None, **overrides) -> Policy:
        """A new policy of Territorial Policing with this cast named on it, through ``policy_create``."""
        values = {
            "actor": actor or self.developer,
            "business_group": self.group,
            "owning_unit": self.unit,
            "designated_lead": self.lead,
            "coordinator": self.coordinator,
            "owner": self.owner,
            "policy_manager": self.manager,
            "developers": [self.developer],
        }
        values.update(overrides)
        return PolicyFactory(**values)


def make_people() -> People:
    from core.models import ApprovalRoute

    group = BusinessGroupFactory(name="Territorial Policing", code="tp")
    group2 = BusinessGroupFactory(name="Specialist Crime & Operations", code="sco")
    unit = UnitFactory(business_group=group, name="Response and Patrol")
    unit2 = UnitFactory(business_group=group2, name="Serious Crime")

    def person(username: str, role: str, business_group=None) -> User:
        return user_with_role(role, business_group, username=username)

    board = BoardFactory(name="Territorial Policing Chief Officer Group", business_group=group)
    ApprovalRoute.objects.create(risk_tier="medium", business_group=group, board=board)
    # Issue 13: every approval records its board, so the second group has its route too.
    board2 = BoardFactory(name="Specialist Crime & Operations Chief Officer Group", business_group=group2)
    ApprovalRoute.objects.create(risk_tier="medium", business_group=group2, board=board2)
    people = People(
        group=group, unit=unit, group2=group2, unit2=unit2,
        developer=person("developer", Role.DEVELOPER, group),
        manager=person("manager", Role.MANAGER, group),
        coordinator=person("coordinator", Role.COORDINATOR, group),
        lead=person("lead", Role.LEAD, group),
        owner=person("owner", Role.OWNER, group),
        pcu=person("pcu", Role.PCU),
        pcu_qa=person("pcu_qa", Role.PCU),
        dcfd=person("dcfd", Role.DCFD),
        doi=person("doi", Role.DOI),
        shrmt=person("shrmt", Role.SHRMT),
        lead2=person("lead2", Role.LEAD, group2),
        developer2=person("developer2", Role.DEVELOPER, group2),
        coordinator2=person("coordinator2", Role.COORDINATOR, group2),
        board=board,
    )
    return people


# --- filling the package: one helper per gate, so a test can leave exactly one unmet ---------------

ALL_IMPACTS = {
    characteristic: {"impact": "neutral", "notes": ""}
    for characteristic in (
        "age", "disability", "gender_reassignment", "marriage_civil_partnership", "pregnancy_maternity",
        "race", "religion_belief", "sex", "sexual_orientation",
    )
}


def _workbook(policy, people, **sections):
    from assessments.services import workbook_update

    workbook_update(policy=policy, actor=people.developer, **sections)


def _eia(policy, people, **sections):
    from assessments.services import eia_update

    eia_update(policy=policy, actor=people.developer, **sections)


def _consult_shrmt(policy, people):
    lifecycle_services.consultation_record(
        policy=policy, actor=people.developer, consultee="Health and safety adviser",
        organisation="Safety and Health Risk Management Team", consultee_type=ConsulteeType.SHRMT,
        date_sent=timezone.localdate() - datetime.timedelta(days=1),
    )


def _statement(policy, people):
    lifecycle_services.draft_update(
        policy=policy, actor=people.developer, statement="<p>Officers will act lawfully and proportionately.</p>"
    )


def _summary_of_changes(policy, people):
    version = Policy.objects.get(pk=policy.pk).current_version
    lifecycle_services.draft_update(
        policy=policy, actor=people.developer, statement=version.statement,
        summary_of_changes="Updated for the 2024 legislation.",
    )


# Each gate maps to what satisfies it: sections of the Workbook or EIA, or a service call. The fill helpers
# batch the sections into one workbook_update and one eia_update, so a test pays for two calls, not ten.
def _read_monitoring_reports(policy, people):
    """A review reads every monitoring report since the last review (lifecycle.gates.monitoring_reports_read)."""
    from assessments.services import monitoring_report_read_for_review
    from lifecycle.monitoring_reports import reports_since_last_review

    policy = Policy.objects.get(pk=policy.pk)
    if not policy.current_version.revises_published:
        return
    for report in reports_since_last_review(policy).exclude(readings__cycle=policy.current_cycle):
        monitoring_report_read_for_review(report=report, actor=people.developer,
                                          changes_in_response="Section 2 updated in response to the findings.")


SCOPING_FILLERS = {
    "need_recorded": ("workbook", {"need": "Inconsistent practice across boroughs."}),
    "legislation_recorded": ("workbook", {"legislation": "Police and Criminal Evidence Act 1984."}),
    "data_recorded": ("workbook", {"data_and_statistics": "1,200 incidents a year."}),
    "costs_recorded": ("workbook", {"costs_and_resources": "Within existing budgets."}),
    "benefits_recorded": ("workbook", {"benefits": "Consistent, lawful practice."}),
    "eia_started": ("eia", {"aims": "Fair and consistent treatment of the public."}),
    "monitoring_reports_read": _read_monitoring_reports,
}

SUBMISSION_FILLERS = {
    "statement_written": _statement,
    "shrmt_consulted": _consult_shrmt,
    # Issue 13: a section of the Policy Statement, explicit or an explicit "none identified".
    "health_and_safety_statement": lambda p, people: lifecycle_services.draft_update(
        policy=p, actor=people.developer, statement=Policy.objects.get(pk=p.pk).current_version.statement,
        health_and_safety="none"),
    "eia_consultation_summary": ("eia", {"consultation_summary": "Staff associations agreed."}),
    "workbook_consultation_summary": ("workbook", {"consultation_summary": "Feedback incorporated."}),
    "implementation_plan": ("workbook", {"implementation_plan": "Briefings in month one."}),
    "monitoring_process": ("workbook", {"monitoring_process": "Quarterly dip sampling."}),
    "summary_of_changes_for_review": lambda p, people: (
        _summary_of_changes(p, people) if Policy.objects.get(pk=p.pk).current_version.revises_published else None
    ),
}

COMPLETE_EIA = {"impacts": ALL_IMPACTS, "decision": "no_major_change",
                "decision_rationale": "No adverse impact identified."}
SUBMISSION_FILLERS["impact_assessed"] = ("eia", COMPLETE_EIA)


def _fill(policy, people, fillers: dict, omit, extra_eia: dict | None = None) -> None:
    sections = {"workbook": {}, "eia": dict(extra_eia or {})}
    for name, filler in fillers.items():
        if name in omit:
            continue
        if callable(filler):
            filler(policy, people)
        else:
            document, values = filler
            sections[document].update(values)
    if sections["workbook"]:
        _workbook(policy, people, **sections["workbook"])
    if sections["eia"]:
        _eia(policy, people, **sections["eia"])


def fill_scoping(policy, people, *, omit=()):
    """Satisfy every scoping gate except those named in ``omit``."""
    _fill(policy, people, SCOPING_FILLERS, omit)


def fill_development(policy, people, *, omit=(), complete_assessment: bool = True):
    """Satisfy every submission gate except those named in ``omit``; ``complete_assessment=False`` leaves the
    EIA without its decision (the ``impact_assessed`` gate)."""
    _fill(policy, people, SUBMISSION_FILLERS, set(omit) | (set() if complete_assessment else {"impact_assessed"}))


# --- driving the cycle ---------------------------------------------------------------------------

PATH = [
    Status.SCOPING,
    Status.COMMISSIONING,
    Status.DEVELOPMENT,
    Status.SUBMITTED_FOR_QA,
    Status.QA_PASSED,
    Status.WITH_LEAD,
    Status.APPROVED,
    Status.AWAITING_PUBLICATION,
    Status.IMPLEMENTATION,
    Status.MONITORING,
]


def take_step(policy: Policy, people, target: str, *, on_publication_scheme: bool = False,
              reason: str = "No longer needed.") -> None:
    """The one service call that moves ``policy`` to ``target`` (on the main path, or withdrawn), made by the
    person of ``people`` whose job it is. What the gates ask for must already be there (``fill_scoping``,
    ``fill_development``). ``people`` may be any object with the same attributes as ``People``."""
    from publication.services import policy_publish

    s = lifecycle_services
    if target == Status.COMMISSIONING:
        s.policy_request_commissioning(policy=policy, actor=people.developer)
    elif target == Status.DEVELOPMENT:
        s.policy_commission(policy=policy, actor=people.lead, comments="Agreed.")
    elif target == Status.SUBMITTED_FOR_QA:
        s.policy_submit_for_qa(policy=policy, actor=people.developer)
    elif target == Status.QA_PASSED:
        for discipline, signer in (("pcu", people.pcu_qa), ("dcfd", people.dcfd), ("doi", people.doi)):
            s.policy_record_qa_signoff(policy=policy, actor=signer, discipline=discipline)
    elif target == Status.WITH_LEAD:
        s.policy_forward_to_lead(policy=policy, actor=people.coordinator)
    elif target == Status.APPROVED:
        s.policy_approve(policy=policy, actor=people.lead, comments="Approved.", meeting_on=timezone.localdate(),
                         minute_reference=BOARD_MINUTE)
    elif target == Status.AWAITING_PUBLICATION:
        s.policy_forward_for_publication(policy=policy, actor=people.coordinator)
    elif target == Status.IMPLEMENTATION:
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=on_publication_scheme)
    elif target == Status.MONITORING:
        s.policy_complete_implementation(policy=policy, actor=people.coordinator)
    elif target == Status.WITHDRAWN:
        # Issue 13: the Lead decides, PCU carries it out.
        s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason=reason)
        s.policy_withdraw(policy=policy, actor=people.pcu)
    else:  # pragma: no cover - a test asked for a state off the main path
        raise ValueError(f"take_step cannot reach {target!r}")


def emergency_approve(policy: Policy, people, *, risk_statement: str = "Needed at once for a live operation; I own "
                      "the risk.", eia_due_on=None, pcu=None):
    """The emergency route through the real services (issue 13): the Lead asks, and a member of PCU agrees in the
    app, in their own name. Returns the approval decision."""
    s = lifecycle_services
    s.policy_request_emergency_approval(policy=policy, actor=people.lead, risk_statement=risk_statement,
                                        eia_due_on=eia_due_on)
    return s.policy_agree_emergency_approval(policy=policy, actor=pcu or people.pcu)


def _step(policy: Policy, people: People, target: str) -> None:
    """Fill what the step's gates ask for, then take it."""
    if target == Status.COMMISSIONING:
        fill_scoping(policy, people)
    elif target == Status.SUBMITTED_FOR_QA:
        fill_development(policy, people)
    take_step(policy, people, target)


def advance_to(policy: Policy, status: str, people: People) -> Policy:
    """Drive ``policy`` forward along the main path to ``status`` (or to withdrawn: the Lead decides, PCU carries it
    out) through the real
    services, and return it freshly loaded."""
    policy = Policy.objects.get(pk=policy.pk)
    if status == Status.WITHDRAWN:
        take_step(policy, people, status)
        return Policy.objects.get(pk=policy.pk)
    start = PATH.index(policy.status)
    goal = PATH.index(status)
    if goal < start:
        raise ValueError(f"{policy.reference} is already past {status!r} (it is {policy.status!r})")
    for target in PATH[start + 1: goal + 1]:
        _step(policy, people, target)
        policy = Policy.objects.get(pk=policy.pk)
    return policy


# --- assertions shared by the service tests --------------------------------------------------------


class Refused:
    """``with refused("gate", "The need") as refusal:`` — the block must raise ApplicationError with that
    code, and a message containing every given fragment. ``refusal.error`` is the exception."""

    def __init__(self, code: str, *fragments: str):
        self.code = code
        self.fragments = fragments
        self.error = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from core.exceptions import ApplicationError

        if exc_type is None:
            raise AssertionError(f"expected ApplicationError(code={self.code!r}), nothing was raised")
        if not issubclass(exc_type, ApplicationError):
            return False
        self.error = exc
        assert exc.code == self.code, f"code {exc.code!r} != {self.code!r}: {exc.message}"
        for fragment in self.fragments:
            assert fragment in exc.message, f"{fragment!r} not in {exc.message!r}"
        return True


refused = Refused


def fresh_copy(built):
    """A deep copy of data built once for a module, for one test: as ``TestCase.setUpTestData``'s class attributes,
    each test gets its own instances (and their caches) of the rows the module built."""
    return copy.deepcopy(built)


def reload(policy: Policy) -> Policy:
    return Policy.objects.get(pk=policy.pk)


def what_was_read(policy) -> dict:
    """The hidden fields a step's page posts (rule 17): the status it showed and the version read, with its
    content hash, as a person who just opened the page would send them."""
    policy = type(policy).objects.get(pk=policy.pk)
    version = policy.current_version
    return {"expected_status": policy.status, "version": version.pk, "version_hash": version.read_hash}
