"""Help for each role: what the six stages are and who does what. The steps are the cycle's declarations
(``lifecycle.workflow``: their page titles, who takes them and the SOP's words), so help cannot drift from what the
service does; a test fails if a step with a page is in no role's help."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Role
from lifecycle import workflow as w
from lifecycle.states import PolicyKind, Stage


@dataclass(frozen=True)
class PageHelp:
    """One action page, as help reads it: a page offers one or more steps (the Lead's "Approve or reject" both
    approval and rejection), and help names it once, with who takes its steps and the SOP's words for each."""

    title: str
    taken_by: str
    docs: tuple[str, ...]


def by_page(steps: tuple[w.Step, ...]) -> list[PageHelp]:
    """``steps`` as help lists them: one row per page, in the order of its first step, its steps' takers and SOP
    words each said once."""
    grouped: dict[str, list[w.Step]] = {}
    for step in steps:
        grouped.setdefault(step.page.slug, []).append(step)
    rows = []
    for shared in grouped.values():
        takers = dict.fromkeys(step.taken_by for step in shared if step.taken_by)
        rows.append(PageHelp(shared[0].page.title, " or ".join(takers),
                             tuple(dict.fromkeys(step.doc for step in shared))))
    return rows


@dataclass(frozen=True)
class RoleHelp:
    role: Role
    slug: str
    summary: str  # the SOP's "Roles and responsibilities", in short
    steps: tuple[w.Step, ...]
    also: tuple[str, ...] = ()

    @property
    def rows(self) -> list[PageHelp]:
        return by_page(self.steps)


ROLES: tuple[RoleHelp, ...] = (
    RoleHelp(Role.DEVELOPER, "developer",
             "You research and write the policy: the Policy Statement, its Standard Operating Procedures (SOPs), the "
             "Equality Impact Assessment (EIA) and the Corporate Policy Workbook, and you consult on them.",
             (w.REQUEST_COMMISSIONING, w.SUBMIT_FOR_QA, w.START_REVIEW),
             ("Write the annual monitoring report once the policy is published.",
              "Update the Equality Impact Assessment DCFD reopens at a review concluding no change, on its EIA tab: "
              "DCFD signs the update off once you have revised it (SOP: impact assessments \"on existing policies "
              "every 3 years\").",
              "Give a colleague access to the draft when they help you write it.",
              # Issue 13: the authors of what the emergency route skipped (lifecycle.selectors.emergency_authors).
              "Complete the EIA and the Workbook's impact sections of a policy you develop or manage that was approved "
              "by the emergency route, for DCFD and PCU to sign off.")),
    RoleHelp(Role.MANAGER, "manager",
             "You head the unit that owns the policy: you can do everything its developers do, and you see your "
             "unit's policies at every stage.",
             (w.REQUEST_COMMISSIONING, w.SUBMIT_FOR_QA, w.COMPLETE_IMPLEMENTATION, w.START_REVIEW)),
    RoleHelp(Role.COORDINATOR, "coordinator",
             "You make sure your business group's policies are commissioned before they are developed, that only "
             "quality-assured documents go to the Designated Lead and only approved ones to PCU, and that reviews "
             "and monitoring reports are done on time.",
             (w.FORWARD_TO_LEAD, w.FORWARD_FOR_PUBLICATION, w.COMPLETE_IMPLEMENTATION, w.START_REVIEW,
              w.SET_REVIEW_DATE),
             ("Quality-assure your group's monitoring reports.", "Reassign a policy when someone leaves.")),
    RoleHelp(Role.LEAD, "lead",
             # SOP, roles: "Designated Business Group Policy Lead (ACPO Level or equivalent)".
             "You are the Designated Business Group Policy Lead: a chief officer, of ACPO level or equivalent. You "
             "commission policies, approve or reject them, and may approve one by the emergency route.",
             (w.COMMISSION, w.DECLINE_COMMISSIONING, w.APPROVE, w.REJECT, w.REQUEST_EMERGENCY_APPROVAL,
              w.CONCLUDE_NO_CHANGE, w.SET_REVIEW_DATE, w.START_REVIEW, w.WITHDRAW_REVIEW_DRAFT, w.RESPOND_TO_MONITORING,
              w.DECIDE_WITHDRAWAL, w.AGREE_LOCAL_SUPPLEMENT, w.APPROVE_LOCAL),
             ("A local work instruction is approved within its business group by its Lead, without PCU; where one "
              "supplements a corporate policy you lead, it needs your agreement first.",)),
    RoleHelp(Role.OWNER, "owner",
             "You are the Management Board member who owns the policy. You are told when it is published, and a "
             "review that stays overdue is escalated to you. With the Designated Lead you may decide to withdraw it.",
             (w.DECIDE_WITHDRAWAL,)),
    RoleHelp(Role.PCU, "pcu",
             "The Policy Co-ordination Unit co-ordinates quality assurance with DCFD and DOI, publishes approved "
             "policies, and withdraws them.",
             (w.SIGN_OFF_QA, w.RETURN_FROM_QA, w.PUBLISH, w.COMPLETE_IMPLEMENTATION, w.AGREE_EMERGENCY_APPROVAL,
              w.REFUSE_EMERGENCY_APPROVAL, w.REPUBLISH_NO_CHANGE, w.WITHDRAW),
             ("Edit the public information pages: the accessibility statement, privacy notice, cookies and the "
              "Freedom of Information page.",
              "Publish monitoring reports once the co-ordinator has quality-assured them.")),
    RoleHelp(Role.DCFD, "dcfd",
             "The Diversity and Citizen Focus Directorate quality-assures each policy's Equality Impact Assessment.",
             (w.SIGN_OFF_QA, w.RETURN_FROM_QA, w.CONFIRM_EIA, w.SIGN_OFF_UPDATED_EIA),
             ("Sign off the retrospective EIA of a policy approved by the emergency route.",)),
    RoleHelp(Role.DOI, "doi",
             "The Directorate of Information quality-assures each policy's information management.",
             (w.SIGN_OFF_QA, w.RETURN_FROM_QA)),
    RoleHelp(Role.SHRMT, "shrmt",
             "The Safety and Health Risk Management Team is consulted on every policy before it is submitted.", (),
             ("Answer the consultations you are sent.",)),
)
ROLES_BY_SLUG = {help.slug: help for help in ROLES}


@dataclass(frozen=True)
class StageHelp:
    stage: str
    label: str
    rows: list[PageHelp]


def stages() -> list[StageHelp]:
    """The six stages, each with the pages of the corporate steps taken in it (``Step.in_stage``, as declared), in
    the cycle's order."""
    corporate = [step for step in w.STEPS if step.page and PolicyKind.CORPORATE in step.kinds]
    return [StageHelp(stage.value, stage.label, by_page(tuple(step for step in corporate if step.in_stage == stage)))
            for stage in Stage if stage != Stage.WITHDRAWN]


def local_work_instructions() -> list[PageHelp]:
    """The pages of a local work instruction's own steps, which the six stages do not list: SOP, "Local Work
    Instructions", they "sit outside of the corporate policy development process"."""
    return by_page(tuple(step for step in w.STEPS if step.page and PolicyKind.CORPORATE not in step.kinds))
