"""The rules of issue 4 ("Roles and object permissions"), stated once, as data.

This module is the specification the permission tests check the application against. It is written
from the issue and the SOP ("Roles and responsibilities"), never from ``lifecycle.permissions``: nothing
here imports the application's predicates, so a mistake there cannot hide itself by being copied.

Three tables:

* ``SEES``: which statuses a policy may be in for someone to see it, by what that person is *to the policy*
  (a capacity: "named developer", "co-ordinator of its group", ...), plus ``may_read_sensitive`` for
  OFFICIAL-SENSITIVE material.
* ``ACTION_RULES``: for every lifecycle action (and editing the draft), the statuses it applies in, the
  capacities that may take it, and whether the author of the current version is barred (separation of duties).
* ``PERSONAS``: the people the matrix asks about: which roles they hold, in their home business group or
  force-wide, and whether some policies of the world are theirs as author.

``expected(action, persona, facts)`` combines them. ``facts`` describes one policy as the world built it
(status, marking, own or other business group, who wrote the current version, whether SHRMT was consulted).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- statuses (the lifecycle's vocabulary, spelled out so the table reads on its own) ---------------------

SCOPING = "scoping"
COMMISSIONING = "commissioning"
DEVELOPMENT = "development"
SUBMITTED_FOR_QA = "submitted_for_qa"
QA_PASSED = "qa_passed"
WITH_LEAD = "with_lead"
APPROVED = "approved"
AWAITING_PUBLICATION = "awaiting_publication"
IMPLEMENTATION = "implementation"
MONITORING = "monitoring"
WITHDRAWN = "withdrawn"

STATUSES = (
    SCOPING, COMMISSIONING, DEVELOPMENT, SUBMITTED_FOR_QA, QA_PASSED, WITH_LEAD, APPROVED,
    AWAITING_PUBLICATION, IMPLEMENTATION, MONITORING, WITHDRAWN,
)
EVERY_STATUS = frozenset(STATUSES)
DRAFTING = frozenset({SCOPING, DEVELOPMENT})
# What has been submitted to PCU, DCFD and DOI and not yet published: SOP stage 4, "Approval", and the start of stage 5,
# "Implementation" (approved, with PCU for publication). Not a stage: lifecycle.states.APPROVAL_PIPELINE.
APPROVAL_PIPELINE = frozenset({SUBMITTED_FOR_QA, QA_PASSED, WITH_LEAD, APPROVED, AWAITING_PUBLICATION})
PUBLISHED = frozenset({IMPLEMENTATION, MONITORING})

# A policy under review: published before, its version in force stays in force while a new version goes through
# the cycle again (SOP stage 1: "If this is a policy review (rather than new policy), conduct some research to
# see whether there are any changes"). On the matrix's status axis as "under_review:<status of the new version>",
# after the eleven statuses of a first cycle.
UNDER_REVIEW = "under_review:"
REVIEWED_STATUSES = (SCOPING, COMMISSIONING, DEVELOPMENT, SUBMITTED_FOR_QA, QA_PASSED, WITH_LEAD, APPROVED,
                     AWAITING_PUBLICATION)
REVIEW_AXIS = tuple(UNDER_REVIEW + status for status in REVIEWED_STATUSES)
AXIS = STATUSES + REVIEW_AXIS


def real_status(axis_status: str) -> tuple[str, bool]:
    """(the policy's status, whether it is under review) for a point of the axis."""
    if axis_status.startswith(UNDER_REVIEW):
        return axis_status[len(UNDER_REVIEW):], True
    return axis_status, False

OFFICIAL = "official"
OFFICIAL_SENSITIVE = "official_sensitive"
MARKINGS = (OFFICIAL, OFFICIAL_SENSITIVE)

OWN = "own"      # the policy belongs to the persona's home business group
OTHER = "other"  # the policy belongs to another business group
GROUPS = (OWN, OTHER)
# For a force-wide role (or none) there is no home group, so own and other mean nothing: such a persona is
# asked about policies of a group in which none of the personas holds a role, labelled "any".
ANY = "any"

# --- roles (core.models.Role values) ---------------------------------------------------------------------

DEVELOPER_ROLE = "developer"
MANAGER_ROLE = "manager"
COORDINATOR_ROLE = "coordinator"
LEAD_ROLE = "lead"
OWNER_ROLE = "owner"
PCU_ROLE = "pcu"
DCFD_ROLE = "dcfd"
DOI_ROLE = "doi"
SHRMT_ROLE = "shrmt"

# --- capacities: what one person is to one policy -------------------------------------------------------

STAFF = "member of staff"                      # anyone signed in
NAMED_DEVELOPER = "named developer"            # developer role in the policy's group, and named on the policy
UNIT_MANAGER = "manager of its unit"           # policy manager of the policy's owning unit
COORDINATOR = "co-ordinator of its group"
LEAD = "Designated Lead of its group"          # holds the Lead role in the policy's group
# The Lead the policy names (``Policy.designated_lead``). Issue 11, finding 2: "A superuser who gave himself the
# Lead role approved a policy whose designated Lead is someone else." Approval is the named Lead's decision
# (SOP: the Designated Business Group Policy Lead will "Approve new and reviewed policy and SOPs (on behalf of
# their Management Board member)"); holding the role in the group is not enough, and being a superuser adds
# nothing.
NAMED_LEAD = "the Lead it names"
OWNER = "Management Board owner of its group"
PCU = "PCU"
DCFD = "DCFD"
DOI = "DOI"
CONSULTED_SHRMT = "SHRMT, consulted on it"

# Who sees a policy, by status. Deny by default: a capacity not listed sees nothing.
SEES: dict[str, frozenset[str]] = {
    # "Staff without any role see the published policies ... that are not OFFICIAL-SENSITIVE"; developers
    # "see published policies of the whole force".
    STAFF: PUBLISHED,
    # "Policy developers see and edit the drafts of policies they are assigned to, only while the policy is
    # in scoping or development."
    NAMED_DEVELOPER: DRAFTING,
    # "Policy managers see everything of their unit."
    UNIT_MANAGER: EVERY_STATUS,
    # "Business group co-ordinators see every policy of their group in every stage."
    COORDINATOR: EVERY_STATUS,
    # "A Designated Lead ... sees the group's policies in every stage."
    LEAD: EVERY_STATUS,
    # "The Management Board owner sees everything in their business group."
    OWNER: EVERY_STATUS,
    # "PCU sees everything."
    PCU: EVERY_STATUS,
    # "DCFD ... DOI ...: both see what is submitted to them": the submission, on its way until it is published.
    DCFD: APPROVAL_PIPELINE,
    DOI: APPROVAL_PIPELINE,
    # "SHRMT sees what it is consulted on."
    CONSULTED_SHRMT: EVERY_STATUS,
}


@dataclass(frozen=True)
class Rule:
    """An action is allowed when the policy is in one of ``statuses`` and the person holds one of
    ``capacities`` towards it, unless ``author_barred`` and they wrote or submitted the current version
    (issue 11, separation of duties: "One person may not hold two of these on the same policy version: author or
    submitter, any QA discipline, approver, publisher")."""

    statuses: frozenset[str]
    capacities: frozenset[str]
    author_barred: bool = False
    # Only on a policy published at least once (in force, or under review with its published version in force).
    once_published: bool = False
    # Only on a policy under review (its statuses are then its review draft's).
    under_review_only: bool = False


def rule(statuses, *capacities: str, author_barred: bool = False, once_published: bool = False,
         under_review_only: bool = False) -> Rule:
    return Rule(frozenset(statuses), frozenset(capacities), author_barred, once_published, under_review_only)


DRAFTERS = (NAMED_DEVELOPER, UNIT_MANAGER)  # "Policy managers ... may do what their developers may."
# A review draft before the Lead's approval: its new version from scoping to the Lead's decision.
REVIEW_DRAFT_NOT_APPROVED = (SCOPING, COMMISSIONING, DEVELOPMENT, SUBMITTED_FOR_QA, QA_PASSED, WITH_LEAD)

# The action slugs are lifecycle.actions.ACTIONS' slugs (the URL /policies/<ref>/actions/<slug>/);
# ``edit_draft`` is the draft editor (/policies/<ref>/statement/edit/).
ACTION_RULES: dict[str, Rule] = {
    # Developers "see and edit the drafts ... only while the policy is in scoping or development".
    "edit_draft": rule(DRAFTING, *DRAFTERS),
    # SOP stage 2: the developer seeks "formal agreement to progress the work" from the Lead.
    "request-commissioning": rule({SCOPING}, *DRAFTERS),
    # "A Designated Lead commissions, approves or rejects only their own business group's policies."
    # SOP: the Designated Business Group Policy Lead will "Commission the development of new policy": the Lead the
    # policy names (NAMED_LEAD), not any holder of the role in the group.
    "commission": rule({COMMISSIONING}, NAMED_LEAD),
    "decline-commissioning": rule({COMMISSIONING}, NAMED_LEAD),
    # Developers "submit for QA".
    "submit-for-qa": rule({DEVELOPMENT}, *DRAFTERS),
    # PCU "records the PCU QA sign-off, returns submissions"; DCFD the EIA sign-off; DOI information management.
    # "The author of a version can never record a QA sign-off on it ... whatever other roles they hold."
    "quality-assurance": rule({SUBMITTED_FOR_QA}, PCU, DCFD, DOI, author_barred=True),
    # Co-ordinators "forward QA-passed submissions to the Lead and Lead-approved ones to PCU".
    "forward-to-lead": rule({QA_PASSED}, COORDINATOR),
    # The Lead approves or rejects; the author "can never ... approve it". The Lead the policy names: see NAMED_LEAD.
    "decide": rule({WITH_LEAD}, NAMED_LEAD, author_barred=True),
    # The Lead "approves emergency publication" (SOP stage 3: "with the approval of the appropriate policy lead";
    # taken from development); still an approval.
    "emergency-approve": rule({DEVELOPMENT}, NAMED_LEAD, author_barred=True),
    # Issue 13: "in consultation with the Policy Co-ordination Unit": a member of PCU agrees (or refuses) in the app,
    # in their own name; never the author of the version (it approves it).
    "emergency-agreement": rule({DEVELOPMENT}, PCU, author_barred=True),
    "forward-for-publication": rule({APPROVED}, COORDINATOR),
    # PCU "publishes" ("Publish all corporate policy"). Issue 11: the author or submitter is never the publisher.
    "publish": rule({AWAITING_PUBLICATION}, PCU, author_barred=True),
    # Not named by the issue. Moving a published policy from implementation to monitoring is bookkeeping by
    # those who answer for implementation and monitoring: the unit's manager ("Ensure monitoring reports are
    # produced"), the co-ordinator ("Ensure good governance so that policies ... are reviewed, monitored")
    # and PCU ("Gather information on the status of policy reviews and policy monitoring").
    "complete-implementation": rule({IMPLEMENTATION}, UNIT_MANAGER, COORDINATOR, PCU),
    # Not named by the issue. A review is drafting work (a new draft in scoping) by those who may draft, and
    # is driven by the co-ordinator ("Ensure policy reviews ... are completed on time") and the Lead ("Drive
    # policy review").
    "start-review": rule(PUBLISHED, *DRAFTERS, COORDINATOR, LEAD),
    # A review that finds no change is needed is concluded by the Lead, who approves policy: the Lead the policy
    # names (NAMED_LEAD), as for its first approval. SOP: the Designated Business Group Policy Lead will "Approve
    # new and reviewed policy and SOPs (on behalf of their Management Board member)". Issue 13: then DCFD confirms
    # the EIA still stands ("Equality Impact Assessments ... on existing policies every 3 years") and PCU
    # re-publishes it ("Publish all corporate policy"); the author of the version is never its publisher.
    "conclude-no-change": rule(PUBLISHED, NAMED_LEAD),
    # DCFD's check of the EIA at the review is its quality assurance given again: never by the version's author (as
    # "quality-assurance"), nor by the Lead who concluded the review (integrity review of 2026-12-06: the review's
    # three checks are three people's; lifecycle.duties).
    "confirm-eia": rule(PUBLISHED, DCFD, author_barred=True),
    "republish": rule(PUBLISHED, PCU, author_barred=True),
    # Co-ordinators "set earlier review dates with a reason"; so does the Lead, who drives policy review.
    # Only while no review is open: the SOP's review date is when a review must start ("Ensure policies are
    # reviewed and published at least once every 3 years, if no earlier review has been prompted by monitoring
    # results, or external factors e.g. legislation, critical incidents"). Once a review has started (a policy
    # under review: its new version in scoping ... awaiting publication) there is nothing left to bring forward,
    # and the review's own publication sets the next date. So: implementation or monitoring, no review open.
    "set-review-date": rule(PUBLISHED, COORDINATOR, LEAD),
    # Issue 13: a withdrawal is decided by the Lead or the owner, who "retain ultimate ownership" (the Lead the policy
    # names; the owner of its group), and carried out by PCU, from any status but withdrawn.
    "decide-withdrawal": rule(EVERY_STATUS - {WITHDRAWN}, NAMED_LEAD, OWNER),
    "withdraw": rule(EVERY_STATUS - {WITHDRAWN}, PCU),
    # Issue 12, "Document details": editable "while the policy is in a drafting stage and frozen with the version
    # at submission", by those who draft it and by the co-ordinator (who re-marks or re-routes it at a review).
    "details": rule(DRAFTING, *DRAFTERS, COORDINATOR),
    # Issue 12, "Advice during development": "A co-ordinator or developer can invite DCFD, DOI or SHRMT (or a named
    # colleague) to see and comment on a draft, from a page" (the manager drafts too).
    "advice": rule(DRAFTING, *DRAFTERS, COORDINATOR),
    # Issue 12, "Reassignment": "Handled by PCU force-wide and by the co-ordinator within their group" (a developer
    # added, here; the owner and the Lead need PCU), in whatever status the policy is but withdrawn: people move at
    # any time, and a withdrawn policy's people stay as its record (QA walk of 2026-12-06; a leaver's handover leaves
    # withdrawn policies alone too).
    "people": rule(EVERY_STATUS - {WITHDRAWN}, COORDINATOR, PCU),
    # Issue 13. SOP, role of the Designated Business Group Policy Lead: "review monitoring results and direct
    # remedial action": the Lead the policy names (NAMED_LEAD), as for its approval. Monitoring reports are written
    # for a policy in force, which it stays while under review, so: a policy published at least once, whatever
    # stage its review is in, and not withdrawn.
    "respond-to-monitoring": rule(EVERY_STATUS - {WITHDRAWN}, NAMED_LEAD, once_published=True),
    # QA walk: a review draft could not be abandoned. Withdrawn by the Lead the policy names, who drives the review and
    # approves its outcome (SOP, the Designated Business Group Policy Lead will "Drive policy review, implementation and
    # monitoring programmes" and "Approve new and reviewed policy and SOPs"), as for concluding it with no change;
    # not PCU, whose part is to "Provide advice and support to all involved in the policy development and review
    # process" and "Gather information on the status of policy reviews". Only under review, and only before the
    # Lead's approval: once approved, the draft is the Lead's decision, for PCU to publish.
    "withdraw-review-draft": rule(REVIEW_DRAFT_NOT_APPROVED, NAMED_LEAD, under_review_only=True),
}
# The actions taken only on a policy under review: none of them on the first cycle's axis.
UNDER_REVIEW_ONLY = frozenset(action for action, spec in ACTION_RULES.items() if spec.under_review_only)
# The actions whose page is not a step's (/policies/<ref>/actions/<slug>/): the draft editor and issue 12's pages.
OWN_PAGES = frozenset({"edit_draft", "details", "advice", "people"})

# What each action does when it is allowed, posted through its form: the status the policy then is in (None: it
# stays where it is) and the audit events written, in order ("*" stands for the QA discipline). Most write
# exactly one. The matrix posts a QA sign-off with the two other disciplines already signed, so that it is the
# sign-off that completes QA: it writes two (the discipline's sign-off, then "QA passed") and moves the policy on.
# Publishing is asked without a date, so it publishes at once.
EFFECTS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "edit_draft": (None, ("policy.draft_saved",)),
    "request-commissioning": (COMMISSIONING, ("policy.commissioning_requested",)),
    "commission": (DEVELOPMENT, ("policy.commissioned",)),
    "decline-commissioning": (SCOPING, ("policy.commissioning_declined",)),
    "submit-for-qa": (SUBMITTED_FOR_QA, ("policy.submitted_for_qa",)),
    "quality-assurance": (QA_PASSED, ("policy.qa_signed_off.*", "policy.qa_passed")),
    "forward-to-lead": (WITH_LEAD, ("policy.forwarded_to_lead",)),
    "decide": (APPROVED, ("policy.approved",)),
    "emergency-approve": (None, ("policy.emergency_requested",)),
    "emergency-agreement": (APPROVED, ("policy.emergency_approved",)),
    "forward-for-publication": (AWAITING_PUBLICATION, ("policy.forwarded_for_publication",)),
    "publish": (IMPLEMENTATION, ("policy.published",)),
    "complete-implementation": (MONITORING, ("policy.implementation_completed",)),
    "start-review": (SCOPING, ("policy.review_started",)),
    "conclude-no-change": (None, ("policy.review_concluded_no_change",)),
    "confirm-eia": (None, ("policy.review_eia_confirmed",)),
    "republish": (None, ("policy.republished_no_change", "policy.publication_superseded")),
    "set-review-date": (None, ("policy.review_date_brought_forward",)),
    "decide-withdrawal": (None, ("policy.withdrawal_decided",)),
    "withdraw": (WITHDRAWN, ("policy.withdrawn",)),
    "details": (None, ("policy.details_changed",)),
    "advice": (None, ("policy.advice_invited",)),
    "people": (None, ("policy.reassigned",)),
    # Posted with "no action needed" on a quality-assured report the matrix writes first (the step's gate).
    "respond-to-monitoring": (None, ("monitoring_report.responded",)),
    # Back to the status the policy had when its review started: the world's reviews start in monitoring.
    "withdraw-review-draft": (MONITORING, ("policy.review_draft_withdrawn",)),
}

# Publishing the reviewed version of a policy under review also retires the version it replaces (issue 11:
# "Publishing a new version replaces the previous one on every channel it was on"), and says so in the trail.
EFFECTS_UNDER_REVIEW = {
    **EFFECTS,
    "publish": (IMPLEMENTATION, ("policy.published", "policy.publication_superseded")),
}

VIEW = "view"                              # the policy's pages (/policies/<ref>/)
VIEW_SENSITIVE_SOP = "view_sensitive_sop"  # an OFFICIAL-SENSITIVE SOP of the policy (/policies/<ref>/statement/)
VIEW_ON_SCHEME = "view_on_scheme"          # the public Publication Scheme page (/publication-scheme/<ref>/)
ACTIONS = (VIEW, VIEW_SENSITIVE_SOP, VIEW_ON_SCHEME, *ACTION_RULES)


# --- the people the matrix asks about -------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """One person. ``group_roles`` are held in their home business group (the "own" group); ``force_roles``
    force-wide. A manager manages the unit owning the home group's policies. ``asked`` lists the situations
    the matrix asks about, as (group of the policy, relation): the group is OWN or OTHER for someone with a
    business-group role, ANY otherwise; the relation is "author" or "notauthor" (of the policy's current
    version) or, for SHRMT, "consulted" or "notconsulted". (On which policies someone is named as a developer
    is a fact of each policy: ``PolicyFacts.named``.)"""

    label: str
    group_roles: tuple[str, ...] = ()
    force_roles: tuple[str, ...] = ()
    asked: tuple[tuple[str, str], ...] = ((OWN, "notauthor"), (OTHER, "notauthor"))
    signed_in: bool = True
    superuser: bool = False  # Django's is_superuser: gives nothing here (issue 11: "Superusers get no bypass")


NO_HOME_GROUP = ((ANY, "notauthor"),)


PERSONAS: tuple[Persona, ...] = (
    # Named on every policy, including the other group's, where they hold no role: being named is not enough.
    Persona("developer", group_roles=(DEVELOPER_ROLE,),
            asked=((OWN, "author"), (OWN, "notauthor"), (OTHER, "notauthor"))),
    Persona("developer_unnamed", group_roles=(DEVELOPER_ROLE,)),
    Persona("manager", group_roles=(MANAGER_ROLE,)),
    Persona("coordinator", group_roles=(COORDINATOR_ROLE,)),
    Persona("lead", group_roles=(LEAD_ROLE,)),
    # A Lead who also develops policy, asked about the policies they started (and so are named on and wrote).
    Persona("lead_developer", group_roles=(LEAD_ROLE, DEVELOPER_ROLE), asked=((OWN, "author"),)),
    Persona("owner", group_roles=(OWNER_ROLE,)),
    Persona("pcu", force_roles=(PCU_ROLE,), asked=NO_HOME_GROUP),
    # Holds every QA discipline and started the policies asked about: still never signs off their own version.
    Persona("pcu_dcfd_doi", force_roles=(PCU_ROLE, DCFD_ROLE, DOI_ROLE), asked=((ANY, "author"),)),
    Persona("dcfd", force_roles=(DCFD_ROLE,), asked=NO_HOME_GROUP),
    Persona("doi", force_roles=(DOI_ROLE,), asked=NO_HOME_GROUP),
    Persona("shrmt", force_roles=(SHRMT_ROLE,), asked=((ANY, "consulted"), (ANY, "notconsulted"))),
    # Issue 11, finding 2: "A PCU user given the DCFD, DOI and Lead roles in the admin signed all three QA
    # disciplines and then approved." Asked about policies whose named Lead is someone else (``lead``).
    Persona("pcu_dcfd_doi_lead", group_roles=(LEAD_ROLE,), force_roles=(PCU_ROLE, DCFD_ROLE, DOI_ROLE),
            asked=((OWN, "notauthor"),)),
    # Issue 11, finding 2: "A superuser who gave himself the Lead role approved a policy whose designated Lead is
    # someone else."
    Persona("superuser_lead", group_roles=(LEAD_ROLE,), superuser=True),
    Persona("staff", asked=NO_HOME_GROUP),  # no role at all
    Persona("anonymous", signed_in=False, asked=NO_HOME_GROUP),
)


@dataclass(frozen=True)
class PolicyFacts:
    """One policy of the world, as built: what the expectation depends on."""

    status: str
    marking: str
    group: str                 # OWN, OTHER or ANY, relative to the personas' home group
    author: str                # persona label of the current version's author ("" if not a persona)
    named: frozenset[str]      # persona labels named on it as developers
    shrmt_consulted: bool
    on_scheme: bool = False    # PCU published it on the Publication Scheme
    under_review: bool = False  # published before, now in a new cycle: its published version stays in force
    named_lead: str = ""       # persona label of the policy's designated Lead ("" if not a persona)


def capacities(persona: Persona, facts: PolicyFacts) -> frozenset[str]:
    if not persona.signed_in:
        return frozenset()
    held = {STAFF}
    own = facts.group == OWN
    if own:
        if DEVELOPER_ROLE in persona.group_roles and persona.label in facts.named:
            held.add(NAMED_DEVELOPER)
        if MANAGER_ROLE in persona.group_roles:
            held.add(UNIT_MANAGER)
        for role, capacity in ((COORDINATOR_ROLE, COORDINATOR), (LEAD_ROLE, LEAD), (OWNER_ROLE, OWNER)):
            if role in persona.group_roles:
                held.add(capacity)
        if LEAD_ROLE in persona.group_roles and facts.named_lead == persona.label:
            held.add(NAMED_LEAD)
    for role, capacity in ((PCU_ROLE, PCU), (DCFD_ROLE, DCFD), (DOI_ROLE, DOI)):
        if role in persona.force_roles:
            held.add(capacity)
    if SHRMT_ROLE in persona.force_roles and facts.shrmt_consulted:
        held.add(CONSULTED_SHRMT)
    return frozenset(held)


def may_read_sensitive(persona: Persona, facts: PolicyFacts) -> bool:
    """"OFFICIAL-SENSITIVE SOPs are visible only to staff with a role on that policy's business group or a
    force-wide role." The same holds for a policy marked OFFICIAL-SENSITIVE as a whole: staff without a role
    "see the published policies and SOPs that are not OFFICIAL-SENSITIVE"."""
    return persona.signed_in and (bool(persona.force_roles) or (facts.group == OWN and bool(persona.group_roles)))


def sees_by_their_part(persona: Persona, facts: PolicyFacts) -> bool:
    """Sees the policy as it now stands (its working draft, if any) by what they are to it, not merely as a
    member of staff."""
    held = capacities(persona, facts) - {STAFF}
    sees = any(facts.status in SEES.get(capacity, ()) for capacity in held)
    return sees and (facts.marking == OFFICIAL or may_read_sensitive(persona, facts))


def expected(action: str, persona: Persona, facts: PolicyFacts) -> bool:
    if action == VIEW_ON_SCHEME:
        # "Anonymous visitors see only what is published on the Publication Scheme" (and so does everyone).
        return facts.on_scheme and (facts.status in PUBLISHED or facts.under_review)
    held = capacities(persona, facts)
    if action in (VIEW, VIEW_SENSITIVE_SOP):
        # A policy under review is still a published policy: its version in force stays visible to staff.
        in_force = facts.status in PUBLISHED or facts.under_review
        sees = sees_by_their_part(persona, facts) or (STAFF in held and in_force)
        cleared = may_read_sensitive(persona, facts)
        if facts.marking == OFFICIAL_SENSITIVE and not cleared:
            sees = False
        return sees and (action == VIEW or cleared)
    spec = ACTION_RULES[action]
    if facts.status not in spec.statuses or not (held & spec.capacities):
        return False
    if spec.once_published and not (facts.status in PUBLISHED or facts.under_review):
        return False
    if spec.under_review_only and not facts.under_review:
        return False
    return not (spec.author_barred and facts.author == persona.label)


def holds_capacity(action: str, persona: Persona, facts: PolicyFacts) -> bool:
    """Whether the person is someone who may take the action on this policy, separation of duties aside."""
    return bool(capacities(persona, facts) & ACTION_RULES[action].capacities)


def may_in_principle(action: str, persona: Persona, facts: PolicyFacts) -> bool:
    """Whether the person holds a capacity for the action, whatever the status: a refusal is then "stale"
    (the policy is not where the action applies), not "forbidden"."""
    spec = ACTION_RULES[action]
    return bool(capacities(persona, facts) & spec.capacities) and not (
        spec.author_barred and facts.author == persona.label
    )


# --- the local work instruction route (issue 13) -------------------------------------------------------------------
# SOP, "Local Work Instructions": they "sit outside of the corporate policy development process" and "are not the
# responsibility of the Policy Co-ordination Unit"; they "must not be produced to supplement, or as an alternative to
# Corporate Policy, unless there is prior agreement with the corporate lead". Issue 13: "Approved within the business
# group: the unit head drafts and the business group Lead approves, without PCU. When one supplements a corporate
# policy, the corporate policy's Lead agrees first, recorded."
#
# Asked by test_matrix_local_work_instructions of a local work instruction of the own group that supplements a
# corporate policy of the other group, drafted by its unit head. Its own capacity: the Lead the supplemented corporate
# policy names (another business group's Lead). The statuses it passes through: drafted (scoping), in force
# (implementation, monitoring) and withdrawn.

CORPORATE_LEAD = "the Lead of the corporate policy it supplements"
LOCAL_STATUSES = (SCOPING, IMPLEMENTATION, MONITORING, WITHDRAWN)
# The corporate process's steps: none is a local work instruction's, for anyone, in any status.
CORPORATE_ONLY_ACTIONS = (
    "request-commissioning", "commission", "decline-commissioning", "submit-for-qa", "quality-assurance",
    "forward-to-lead", "decide", "emergency-approve", "emergency-agreement", "forward-for-publication", "publish",
    "conclude-no-change", "confirm-eia", "republish",
)
LOCAL_ACTION_RULES: dict[str, Rule] = {
    # "the corporate policy's Lead agrees first, recorded": the Lead that policy names, while it is drafted.
    "agree-local-instruction": rule(DRAFTING, CORPORATE_LEAD),
    # "the business group Lead approves, without PCU": the Lead it names, never its author (issue 11).
    "approve-local-instruction": rule(DRAFTING, NAMED_LEAD, author_barred=True),
    **{action: rule((), PCU) for action in CORPORATE_ONLY_ACTIONS},
    # Once in force it is reviewed, monitored and withdrawn as any policy is (the same rules as above).
    "start-review": ACTION_RULES["start-review"],
    "complete-implementation": ACTION_RULES["complete-implementation"],
    "set-review-date": ACTION_RULES["set-review-date"],
    "respond-to-monitoring": ACTION_RULES["respond-to-monitoring"],
    "decide-withdrawal": ACTION_RULES["decide-withdrawal"],
    "withdraw-review-draft": ACTION_RULES["withdraw-review-draft"],
    # (PCU carrying a decided withdrawal out is asked by the main matrix: nothing in it is particular to the kind.)
}
# What the two steps of its own route do when allowed and their gates are met.
LOCAL_EFFECTS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "agree-local-instruction": (None, ("policy.local_instruction_agreed",)),
    "approve-local-instruction": (IMPLEMENTATION, ("policy.local_instruction_approved",)),
}
