"""``manage.py seed_demo``: a demonstration force, built through the real services.

A small interpreter of ``demo.data``: reference data and accounts first, then every policy's steps, replayed
in date order as the person whose job each step is, with the clock moved back to the step's day
(time-machine), so that versions, EIAs, Workbooks, consultation logs, decisions, publication dates, due dates
and the audit chain are exactly what the services produce.

Idempotent: business groups, units, boards and routes are matched by name, accounts by username and policies
by title; anything that exists is left alone, so a second run changes nothing. Everything runs in one
transaction, so a failure leaves nothing half-seeded.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import replace

import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from assessments import services as assessments
from assessments.models import MonitoringReport
from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import ApprovalRoute, Board, BusinessGroup, Role, RoleAssignment, Subject, Unit, User
from core.services import role_assign
from demo import data
from lifecycle import services as lifecycle
from lifecycle.models import Policy
from lifecycle.monitoring_reports import reports_awaiting_response, reports_since_last_review
from notifications.services import chase_run
from publication import services as publication

SCOPING_WORKBOOK = ("need", "legislation", "data_and_statistics", "costs_and_resources", "benefits")
SCOPING_EIA = ("aims", "evidence_and_data")

# Whose job each step is (SOP, "Roles and responsibilities"). "qa" and "return" are done by the discipline
# named in the step's options.
ACTOR_ROLE = {
    "start": "developer",
    "rescope": "developer",
    "draft": "developer",
    "responses": "developer",
    "assess": "developer",
    "revise": "developer",
    "request_commissioning": "developer",
    "submit": "developer",
    "report_submit": "developer",
    "start_review": "developer",
    "read_reports": "developer",
    "report_response": "lead",
    "remedial_done": "lead",
    "commission": "lead",
    "approve": "lead",
    "emergency_approve": "lead",
    "emergency_agree": "pcu",
    "decide_withdrawal": "lead",
    "forward_to_lead": "coordinator",
    "forward_for_publication": "coordinator",
    "complete_implementation": "coordinator",
    "report_qa": "coordinator",
    "publish": "publisher",
    "report_publish": "pcu",
    "withdraw": "pcu",
    # Issue 13, local work instructions: the supplemented corporate policy's Lead agrees (named on the step), the
    # business group's Lead approves.
    "agree_local": "lead",
    "approve_local": "lead",
    "qa": None,
    "return": None,
}

# The demo's working day: each step starts at 09:00 on its day (or after the previous one), and each service
# call inside it a couple of minutes after the last, so the audit trail reads like a working history.
WORKDAY_START = datetime.time(9, 0)
STEP_GAP = datetime.timedelta(minutes=20)
CALL_GAP = datetime.timedelta(minutes=2)
SETUP_DAYS_BEFORE_FIRST_STEP = 21
DEMO_USERNAMES = [person.username for person in data.PEOPLE]


def _pick(sections: dict, fields) -> dict:
    return {name: value for name, value in sections.items() if name in fields}


def _omit(sections: dict, fields) -> dict:
    return {name: value for name, value in sections.items() if name not in fields}


def package_for(spec: data.PolicySpec, cycle: int) -> data.Package:
    """The package of a cycle: the original for 1.x; for a review, the original with the review's changes."""
    if cycle == 1 or spec.review is None:
        return spec.package
    review = spec.review
    changed = {sop.title: sop for sop in review.sops}
    original_titles = {sop.title for sop in spec.package.sops}
    return replace(
        spec.package,
        statement=review.statement,
        summary_of_changes=review.summary_of_changes,
        sops=tuple(changed.get(sop.title, sop) for sop in spec.package.sops)
        + tuple(sop for sop in review.sops if sop.title not in original_titles),
        workbook={**spec.package.workbook, **review.workbook},
        eia={**spec.package.eia, **review.eia},
        consultations=review.consultations,
        revision={},
    )


def check_data() -> None:
    """Refuse malformed demo data before touching the database, with a message that says what is wrong."""
    problems = []
    usernames = {person.username for person in data.PEOPLE}
    groups = {group.code: set(group.units) for group in data.GROUPS}
    titles = [spec.title for spec in data.POLICIES]
    if len(set(titles)) != len(titles):
        problems.append("policy titles are not unique")
    if data.PEOPLE[0].username != "admin" or not data.PEOPLE[0].superuser:
        problems.append("the first person must be the 'admin' superuser, who assigns the roles")
    for person in data.PEOPLE:
        for role, group, unit in person.roles:
            if role not in Role.values or (group is not None and group not in groups):
                problems.append(f"{person.username}: unknown role or group {role}/{group}")
            elif unit is not None and unit not in groups.get(group, ()):
                problems.append(f"{person.username}: unit {unit!r} is not in {group}")
    for spec in data.POLICIES:
        where = spec.title
        if spec.group not in groups or spec.unit not in groups[spec.group]:
            problems.append(f"{where}: unknown business group or unit {spec.group}/{spec.unit}")
            continue
        cast = {**data.CASTS[spec.group], **spec.cast}
        missing = {"developer", "coordinator", "lead"} - set(cast)
        if missing:
            problems.append(f"{where}: nobody is cast as {', '.join(sorted(missing))}")
        for username in [*cast.values(), data.UNIT_HEADS.get(spec.unit)]:
            if username is not None and username not in usernames:
                problems.append(f"{where}: unknown person {username!r}")
        if spec.supports and spec.supports not in titles[:titles.index(spec.title)]:
            problems.append(f"{where}: it supplements {spec.supports!r}, which is not a policy listed before it")
        if not spec.steps or spec.steps[0].action != "start":
            problems.append(f"{where}: the first step must be 'start'")
        previous = None
        for step in spec.steps:
            if step.action not in ACTOR_ROLE:
                problems.append(f"{where}: unknown step {step.action!r}")
            if step.days_ago < 1:
                problems.append(f"{where}: step {step.action!r} must be at least one day ago")
            if previous is not None and step.days_ago > previous:
                problems.append(f"{where}: step {step.action!r} ({step.days_ago} days ago) comes before the step "
                                f"listed above it ({previous} days ago)")
            if step.actor is not None and step.actor not in usernames:
                problems.append(f"{where}: step {step.action!r} names unknown person {step.actor!r}")
            if step.action == "report_submit" and step.options.get("report", 0) >= len(spec.reports):
                problems.append(f"{where}: step 'report_submit' names a report that is not written")
            previous = step.days_ago
    if problems:
        raise CommandError("The demo data is inconsistent:\n  " + "\n  ".join(problems))


class Seeder:
    """Creates what is missing, travelling in time for everything that leaves a timestamp."""

    def __init__(self, *, today: datetime.date, stdout, verbosity: int):
        self.today = today
        self.stdout = stdout
        self.verbosity = verbosity
        self.tz = timezone.get_default_timezone()
        self.traveller = None
        self.now: datetime.datetime | None = None
        self.groups: dict[str, BusinessGroup] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.users: dict[str, User] = {}
        self.policy_ids: dict[str, int] = {}
        self.subjects: dict[str, Subject] = {}
        self.created_accounts: list[str] = []
        self.roles_assigned = 0
        self.created_policies: list[str] = []

    # --- the clock ------------------------------------------------------------------------------

    def move_to(self, moment: datetime.datetime) -> None:
        self.traveller.move_to(moment)
        self.now = moment

    def begin(self, day: datetime.date) -> None:
        moment = datetime.datetime.combine(day, WORKDAY_START, tzinfo=self.tz)
        if self.now is not None and moment <= self.now:
            moment = self.now + STEP_GAP
        if moment.date() != day:
            raise CommandError(f"Too many demo steps on {day:%-d %B %Y}: they would run past midnight.")
        self.move_to(moment)

    def tick(self) -> None:
        self.move_to(self.now + CALL_GAP)

    # --- reference data and people ---------------------------------------------------------------

    def reference_data(self) -> None:
        for group in data.GROUPS:
            self.groups[group.code], _ = BusinessGroup.objects.get_or_create(
                name=group.name, defaults={"code": group.code}
            )
            for unit_name in group.units:
                self.units[(group.code, unit_name)], _ = Unit.objects.get_or_create(
                    business_group=self.groups[group.code], name=unit_name
                )
        self.subjects = {}
        for (slug, name) in data.SUBJECTS:
            self.subjects[slug], _ = Subject.objects.get_or_create(slug=slug, defaults={"name": name})
        boards = {}
        for board in data.BOARDS:
            boards[board.name], _ = Board.objects.get_or_create(
                name=board.name,
                defaults={"business_group": self.groups.get(board.group), "remit": board.remit},
            )
        for tier, group_code, board_name in data.APPROVAL_ROUTES:
            ApprovalRoute.objects.get_or_create(
                risk_tier=tier, business_group=self.groups.get(group_code), defaults={"board": boards[board_name]}
            )

    def missing_roles(self, person: data.Person, user: User | None) -> list[tuple[str, str | None, str | None]]:
        if user is None:
            return list(person.roles)
        held = set(RoleAssignment.objects.filter(user=user).values_list("role", "business_group__code"))
        return [(role, group, unit) for role, group, unit in person.roles if (role, group) not in held]

    def people(self) -> None:
        existing = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
        password = None
        admin = None
        for person in data.PEOPLE:
            user = existing.get(person.username)
            if user is None:
                # One hash for every demo account (they share the published password): hashing each
                # separately would cost a third of a second per account.
                password = password or make_password(data.DEMO_PASSWORD)
                user = User.objects.create(
                    username=person.username, first_name=person.first_name, last_name=person.last_name,
                    email=f"{person.username}@example.police.uk", job_title=person.job_title, password=password,
                    is_staff=person.superuser, is_superuser=person.superuser,
                    unit=self.units[person.works_in] if person.works_in else None,
                )
                self.created_accounts.append(person.username)
            admin = admin or user
            for role, group_code, unit_name in self.missing_roles(person, user):
                self.tick()
                role_assign(
                    actor=admin, user=user, role=role, business_group=self.groups.get(group_code),
                    unit=self.units.get((group_code, unit_name)),
                )
                self.roles_assigned += 1
        # Fresh objects: permission predicates cache a user's roles on the instance.
        self.users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}

    def user(self, username: str | None) -> User | None:
        return self.users[username] if username else None

    # --- policies ---------------------------------------------------------------------------------

    def cast(self, spec: data.PolicySpec) -> dict:
        return {**data.CASTS[spec.group], **spec.cast}

    def actor_for(self, spec: data.PolicySpec, step: data.Step) -> User:
        if step.actor:
            return self.users[step.actor]
        role = ACTOR_ROLE[step.action]
        if role is None:
            return self.users[data.FORCE_WIDE_CAST[step.options["discipline"]]]
        if role in data.FORCE_WIDE_CAST:
            return self.users[data.FORCE_WIDE_CAST[role]]
        return self.users[self.cast(spec)[role]]

    def policy(self, spec: data.PolicySpec) -> Policy:
        return Policy.objects.get(pk=self.policy_ids[spec.title])

    def supported_reference(self, spec: data.PolicySpec) -> str | None:
        """The reference of the corporate policy a local work instruction supplements (seeded now or before)."""
        if not spec.supports:
            return None
        if spec.supports in self.policy_ids:
            return Policy.objects.get(pk=self.policy_ids[spec.supports]).reference
        return Policy.objects.filter(title=spec.supports, kind="corporate").values_list("reference", flat=True).get()

    def replay(self, specs: list[data.PolicySpec]) -> None:
        timeline = sorted(
            (
                (self.today - datetime.timedelta(days=step.days_ago), order, index, spec, step)
                for order, spec in enumerate(specs)
                for index, step in enumerate(spec.steps)
            ),
            key=lambda entry: entry[:3],
        )
        for day, _, _, spec, step in timeline:
            self.begin(day)
            actor = self.actor_for(spec, step)
            if self.verbosity >= 2:
                self.stdout.write(f"  {day:%Y-%m-%d} {spec.title}: {step.action} by {actor.username}")
            try:
                getattr(self, f"step_{step.action}")(spec, step, actor)
            except ApplicationError as exc:
                raise CommandError(f"{spec.title}, step '{step.action}' on {day:%-d %B %Y} as {actor.username} "
                                   f"was refused: {exc}") from exc

    def update_documents(self, policy: Policy, actor, *, workbook: dict, eia: dict) -> None:
        if workbook:
            self.tick()
            assessments.workbook_update(policy=policy, actor=actor, **workbook)
        if eia:
            self.tick()
            assessments.eia_update(policy=policy, actor=actor, **eia)

    # --- the steps: one service call (or a few) each, as the person whose job it is -----------------

    def step_start(self, spec, step, actor) -> None:
        cast = self.cast(spec)
        self.tick()
        policy = lifecycle.policy_create(
            actor=actor, title=spec.title, purpose=spec.purpose, relevant_to=spec.relevant_to,
            business_group=self.groups[spec.group], owning_unit=self.units[(spec.group, spec.unit)],
            risk_tier=spec.risk_tier, protective_marking=spec.protective_marking,
            suitable_for_publication_scheme=spec.suitable_for_publication_scheme,
            registered_file_reference=spec.registered_file_reference,
            subject=self.subjects.get(data.SUBJECT_OF.get(spec.title, "")),
            owner=self.user(cast.get("owner")), designated_lead=self.user(cast["lead"]),
            policy_manager=self.user(data.UNIT_HEADS.get(spec.unit)), coordinator=self.user(cast["coordinator"]),
            developers=[self.user(cast["developer"])], kind=spec.kind,
            supports=self.supported_reference(spec),
        )
        self.policy_ids[spec.title] = policy.pk
        self.created_policies.append(spec.title)
        # SOP, stage 1: "It is at this stage work should begin on completing the Equality Impact Assessment
        # and Corporate Policy Workbook".
        self.update_documents(policy, actor, workbook=_pick(spec.package.workbook, SCOPING_WORKBOOK),
                              eia=_pick(spec.package.eia, SCOPING_EIA))

    def step_rescope(self, spec, step, actor) -> None:
        # SOP, stage 1: "If this is a policy review ... see whether there are any changes".
        self.update_documents(self.policy(spec), actor, workbook=_pick(spec.review.workbook, SCOPING_WORKBOOK),
                              eia=_pick(spec.review.eia, SCOPING_EIA))

    def step_draft(self, spec, step, actor) -> None:
        policy = self.policy(spec)
        package = package_for(spec, policy.current_cycle)
        # Issue 13: the health and safety statement is a section of the Policy Statement (the demo's Workbook says it).
        impact = (package.workbook or {}).get("health_and_safety_impact", "")
        health_and_safety = {"impact": "identified", "none": "none"}.get(impact)
        if package.statement or package.summary_of_changes or health_and_safety:
            self.tick()
            lifecycle.draft_update(
                policy=policy, actor=actor, statement=package.statement,
                summary_of_changes=package.summary_of_changes or None, health_and_safety=health_and_safety,
                health_and_safety_statement=(package.workbook or {}).get("health_and_safety_statement", ""))
        for sop in package.sops:
            existing = policy.sops.filter(title=sop.title).first()
            self.tick()
            if existing is None:
                lifecycle.sop_create(policy=policy, actor=actor, title=sop.title, text=sop.text,
                                     protective_marking=sop.protective_marking,
                                     publish_externally=sop.publish_externally)
            else:
                lifecycle.sop_update_draft(sop=existing, actor=actor, text=sop.text)
        for consultation in package.consultations:
            self.tick()
            lifecycle.consultation_record(
                policy=policy, actor=actor, consultee=consultation.consultee,
                organisation=consultation.organisation, consultee_type=consultation.consultee_type,
                date_sent=timezone.localdate(),
            )

    def step_responses(self, spec, step, actor) -> None:
        policy = self.policy(spec)
        answers = {(c.consultee, c.organisation): c for c in package_for(spec, policy.current_cycle).consultations}
        pending = policy.consultations.filter(cycle=policy.current_cycle, response_received_on__isnull=True)
        for record in pending.order_by("id"):
            answer = answers.get((record.consultee, record.organisation))
            if answer is None or not answer.response:
                continue
            if record.consultee_type == "shrmt":
                # SHRMT records its own advice; the developer then records what was done about it.
                self.tick()
                record = lifecycle.consultation_record_response(
                    record=record, actor=self.users[data.FORCE_WIDE_CAST["shrmt"]], response=answer.response,
                )
            self.tick()
            lifecycle.consultation_record_response(
                record=record, actor=actor, response=answer.response, response_received_on=timezone.localdate(),
                decision_taken=answer.decision_taken, feedback_given=answer.feedback_given,
            )

    def step_assess(self, spec, step, actor) -> None:
        policy = self.policy(spec)
        package = package_for(spec, policy.current_cycle)
        documents = step.options.get("documents", ("workbook", "eia"))
        self.update_documents(
            policy, actor,
            workbook=_omit(package.workbook, SCOPING_WORKBOOK) if "workbook" in documents else {},
            eia=_omit(package.eia, SCOPING_EIA) if "eia" in documents else {},
        )

    def step_revise(self, spec, step, actor) -> None:
        policy = self.policy(spec)
        revision = package_for(spec, policy.current_cycle).revision
        if revision.get("statement"):
            self.tick()
            lifecycle.draft_update(policy=policy, actor=actor, statement=revision["statement"])
        self.update_documents(policy, actor, workbook=revision.get("workbook", {}), eia=revision.get("eia", {}))

    def step_request_commissioning(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_request_commissioning(policy=self.policy(spec), actor=actor)

    def step_commission(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_commission(policy=self.policy(spec), actor=actor, comments=step.options.get(
            "comments", "Commissioned: the need is established and the work fits the business group's priorities."))

    def step_submit(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_submit_for_qa(policy=self.policy(spec), actor=actor)

    def step_qa(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_record_qa_signoff(policy=self.policy(spec), actor=actor,
                                           discipline=step.options["discipline"],
                                           comments=step.options.get("comments", ""))

    def step_return(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_return_from_qa(policy=self.policy(spec), actor=actor, discipline=step.options["discipline"],
                                        comments=step.options["comments"])

    def step_forward_to_lead(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_forward_to_lead(policy=self.policy(spec), actor=actor)

    def step_approve(self, spec, step, actor) -> None:
        self.tick()
        policy = self.policy(spec)
        # Tiered approval (issue 13): taken at the meeting of the board the risk tier goes to, with its minute.
        board = ApprovalRoute.board_for(risk_tier=policy.risk_tier, business_group_id=policy.business_group_id)
        initials = "".join(word[0] for word in board.name.replace("'s", "").split() if word[0].isupper())
        minute = step.options.get("minute_reference") or f"{initials}/{timezone.localdate():%Y}/{policy.pk:03d}"
        lifecycle.policy_approve(policy=policy, actor=actor, comments=step.options.get("comments", ""),
                                 meeting_on=timezone.localdate(), minute_reference=minute)

    def step_emergency_approve(self, spec, step, actor) -> None:
        self.tick()
        # Issue 13: the Lead asks; PCU agrees in the app, in its own name.
        lifecycle.policy_request_emergency_approval(
            policy=self.policy(spec), actor=actor, risk_statement=step.options["risk_statement"],
            eia_due_on=timezone.localdate() + datetime.timedelta(days=step.options["eia_due_in_days"]),
        )

    def step_emergency_agree(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_agree_emergency_approval(policy=self.policy(spec), actor=actor,
                                                  reason=step.options.get("reason", ""))

    def step_forward_for_publication(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_forward_for_publication(policy=self.policy(spec), actor=actor)

    def step_publish(self, spec, step, actor) -> None:
        days = step.options.get("publish_in_days")
        on_scheme = step.options.get(
            "on_publication_scheme", spec.suitable_for_publication_scheme and spec.protective_marking == "official"
        )
        self.tick()
        # Issue 14: Territorial Policing's policies ask the group's staff to confirm they have read them.
        asked = {"business_groups": [self.groups[spec.group]]} if spec.group == "TP" else None
        publication.policy_publish(
            policy=self.policy(spec), actor=actor, on_intranet=True, in_notices=True,
            on_publication_scheme=on_scheme, asked_to_acknowledge=asked,
            # A scheduled publication is dated from the real today, so it is still to come after seeding.
            publish_on=self.today + datetime.timedelta(days=days) if days else None,
        )

    def step_complete_implementation(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_complete_implementation(policy=self.policy(spec), actor=actor)

    def step_report_submit(self, spec, step, actor) -> None:
        policy = self.policy(spec)
        content = spec.reports[step.options.get("report", 0)]
        published = policy.monitoring_reports.filter(status=MonitoringReport.Status.PUBLISHED)
        last = published.order_by("-period_end").first()
        period_start = last.period_end if last else policy.first_published_on
        self.tick()
        report = assessments.monitoring_report_create(
            policy=policy, actor=actor, period_start=period_start, period_end=period_start + relativedelta(months=12),
            compliance=content.compliance, benefits=content.benefits, performance=content.performance,
            diversity_impact=content.diversity_impact,
        )
        self.tick()
        assessments.monitoring_report_submit(report=report, actor=actor)

    def step_report_qa(self, spec, step, actor) -> None:
        report = self.policy(spec).monitoring_reports.get(status=MonitoringReport.Status.SUBMITTED)
        self.tick()
        assessments.monitoring_report_pass_qa(report=report, actor=actor, comments=step.options.get("comments", ""))

    def step_report_publish(self, spec, step, actor) -> None:
        report = self.policy(spec).monitoring_reports.get(status=MonitoringReport.Status.QA_PASSED)
        self.tick()
        assessments.monitoring_report_publish(report=report, actor=actor)

    def step_report_response(self, spec, step, actor) -> None:
        """The Lead's response to the oldest quality-assured report awaiting one (issue 13)."""
        policy = self.policy(spec)
        report = reports_awaiting_response(policy).first()
        options = step.options
        remedial = {}
        if options["outcome"] == "remedial":
            remedial = {"remedial_action": options["action"],
                        "remedial_owner": self.users[options.get("owner") or self.cast(spec)["coordinator"]],
                        "remedial_due_on": timezone.localdate() + datetime.timedelta(days=options["due_in_days"])}
        self.tick()
        assessments.monitoring_report_respond(policy=policy, actor=actor, report=report,
                                              outcome=options["outcome"], reasons=options["reasons"], **remedial)

    def step_remedial_done(self, spec, step, actor) -> None:
        policy = self.policy(spec)
        response = policy.monitoring_responses.get(outcome="remedial", remedial_completed_at__isnull=True)
        if step.actor is None and response.remedial_owner is not None:
            actor = response.remedial_owner
        self.tick()
        assessments.monitoring_remedial_action_complete(response=response, actor=actor,
                                                        outcome=step.options["outcome"])

    def step_read_reports(self, spec, step, actor) -> None:
        """The review reads the monitoring reports since the last review (a gate of its scoping, issue 13)."""
        policy = self.policy(spec)
        for report in reports_since_last_review(policy).exclude(readings__cycle=policy.current_cycle):
            self.tick()
            assessments.monitoring_report_read_for_review(report=report, actor=actor,
                                                          changes_in_response=step.options["changes"])

    def step_start_review(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_start_review(policy=self.policy(spec), actor=actor, reason=step.options["reason"])

    def step_agree_local(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_agree_local_supplement(policy=self.policy(spec), actor=actor, comments=step.options.get(
            "comments", "Agreed: it applies the corporate policy locally and does not depart from it."))

    def step_approve_local(self, spec, step, actor) -> None:
        self.tick()
        publication.policy_approve_local(policy=self.policy(spec), actor=actor,
                                         comments=step.options.get("comments", "Approved for the unit."))

    def step_decide_withdrawal(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_decide_withdrawal(policy=self.policy(spec), actor=actor, reason=step.options["reason"],
                                           replaced_by=step.options.get("replaced_by", ""))

    def step_withdraw(self, spec, step, actor) -> None:
        self.tick()
        lifecycle.policy_withdraw(policy=self.policy(spec), actor=actor, comments=step.options.get("comments", ""))

    def leavers(self) -> None:
        """Close the accounts of those who left, still named on their policies: an account closed outside
        PolicyHub (core.holdings.user_deactivate would refuse it, listing what they hold). Only once."""
        for person in data.PEOPLE:
            user = self.users[person.username]
            if person.left and user.is_active:
                self.begin(self.today - datetime.timedelta(days=1))
                User.objects.filter(pk=user.pk).update(is_active=False)
                audit_log(actor=None, action=AuditAction.USER_DEACTIVATED, obj=user, changes={
                    "username": user.username, "note": "Account closed when they left the force, before their work "
                                                       "was handed over."})
                user.is_active = False

    # --- the whole seed ---------------------------------------------------------------------------

    def run(self) -> None:
        self.reference_data()
        existing_titles = set(Policy.objects.filter(title__in=[s.title for s in data.POLICIES])
                              .values_list("title", flat=True))
        pending = [spec for spec in data.POLICIES if spec.title not in existing_titles]
        users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
        people_missing = any(person.username not in users or self.missing_roles(person, users.get(person.username))
                             for person in data.PEOPLE)
        if not pending and not people_missing:
            return
        # The accounts exist from a few weeks before the oldest history, so the audit chain starts with them.
        first_day = self.today - datetime.timedelta(
            days=max((step.days_ago for spec in pending for step in spec.steps), default=0)
            + SETUP_DAYS_BEFORE_FIRST_STEP
        )
        start = datetime.datetime.combine(first_day, datetime.time(8, 30), tzinfo=self.tz)
        with time_machine.travel(start, tick=False) as traveller:
            self.traveller = traveller
            self.now = start
            self.people()
            self.replay(pending)
            self.leavers()


class Command(BaseCommand):
    help = ("Create the demonstration force: business groups, boards, one account per role (password "
            f"'{data.DEMO_PASSWORD}') and policies in every status, through the real services. Safe to run twice.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Seed even though settings.POLICYHUB_PRODUCTION is True.")

    def handle(self, *args, force: bool = False, verbosity: int = 1, **options):
        if getattr(settings, "POLICYHUB_PRODUCTION", False) and not force:
            raise CommandError(
                "Refusing to seed demo data: this is a production configuration (POLICYHUB_PRODUCTION is True). "
                "The demo accounts all share a published password. Use --force only on a throwaway database."
            )
        check_data()
        started = time.perf_counter()
        seeder = Seeder(today=timezone.localdate(), stdout=self.stdout, verbosity=verbosity)
        # The history happened "in the past": whatever the services send about it (e-mails from notifications
        # relayed on commit) is discarded rather than delivered today.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            seeder.run()
        # The demo has no scheduler (make run): the day's chase runs once here, as the scheduled job would at 06:30,
        # so that people's notifications hold the reminders the seeded policies call for (the overdue review, the
        # monitoring report, the stuck submission). Its digests are prepared, not sent: `manage.py chase` sends
        # them. Run again, the chase writes nothing twice (its ledger's exactly-once key).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            chased = chase_run(today=timezone.localdate())
        elapsed = time.perf_counter() - started
        if seeder.roles_assigned or seeder.created_policies:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data seeded in {elapsed:.1f}s: {len(seeder.created_accounts)} accounts, "
                f"{seeder.roles_assigned} role assignments and {len(seeder.created_policies)} policies created."
            ))
        elif not chased.new_reminders:
            self.stdout.write("Demo data already present: nothing changed.")
        else:
            self.stdout.write("Demo data already present.")
        if chased.new_reminders:
            self.stdout.write(f"The day's chase ran: {chased.new_reminders} reminders in people's notifications "
                              "(`manage.py chase --dry-run --date=YYYY-MM-DD` shows another day's).")
        self.print_accounts()

    def print_accounts(self) -> None:
        usernames = DEMO_USERNAMES
        users = {user.username: user for user in User.objects.filter(username__in=usernames)
                 .select_related("unit__business_group")}
        assignments = {}
        for assignment in (RoleAssignment.objects.filter(user__username__in=usernames)
                           .select_related("user", "business_group", "unit").order_by("id")):
            assignments.setdefault(assignment.user.username, []).append(assignment)
        rows = []
        for username in usernames:
            user = users.get(username)
            if user is None:
                continue
            held = assignments.get(username, [])
            roles = [assignment.get_role_display() for assignment in held]
            if user.is_superuser:
                roles.insert(0, "Superuser")
            groups = sorted({assignment.business_group.name for assignment in held if assignment.business_group})
            units = sorted({assignment.unit.name for assignment in held if assignment.unit})
            where = ", ".join(groups) or "Force-wide"
            if not held and user.unit_id:
                roles, where, units = ["Staff (no policy role)"], user.unit.business_group.name, [user.unit.name]
            if units:
                where += f" ({', '.join(units)})"
            rows.append((username, data.DEMO_PASSWORD, "; ".join(roles) or "-", where))
        headings = ("Username", "Password", "Role(s)", "Business group")
        widths = [max(len(row[column]) for row in [headings, *rows]) for column in range(len(headings))]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write("Demo accounts")
        self.stdout.write(line.format(*headings).rstrip())
        self.stdout.write(line.format(*("-" * width for width in widths)).rstrip())
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
        self.stdout.write(f"PolicyHub is at {data.DEMO_URL} (sign in with any account above).")
