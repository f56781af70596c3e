"""The six-stage corporate policy development cycle (SOP, "Corporate Policy Development Cycle").

A policy's ``status`` is a finer state than the SOP's stage: stage 4 (Approval) has sub-steps
so the hard gates between them can be enforced. ``STAGE_OF`` maps each status to its stage, the one shown and
filtered on. ``APPROVAL_PIPELINE`` (submitted and not yet published, across stages 4 and 5) is not a stage: it says who
sees a policy meanwhile.
"""

from django.db import models


class Status(models.TextChoices):
    SCOPING = "scoping", "Identification and scoping"
    COMMISSIONING = "commissioning", "Awaiting commissioning decision"
    DEVELOPMENT = "development", "Development"
    SUBMITTED_FOR_QA = "submitted_for_qa", "Submitted for quality assurance"
    QA_PASSED = "qa_passed", "Quality assurance passed"
    WITH_LEAD = "with_lead", "With the Designated Lead for approval"
    APPROVED = "approved", "Approved to publish"
    AWAITING_PUBLICATION = "awaiting_publication", "With PCU for publication"
    IMPLEMENTATION = "implementation", "Published: implementation"
    MONITORING = "monitoring", "Published: monitoring and review"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Stage(models.TextChoices):
    SCOPING = "scoping", "1. Identification and scoping"
    COMMISSIONING = "commissioning", "2. Commissioning"
    DEVELOPMENT = "development", "3. Development"
    APPROVAL = "approval", "4. Approval"
    IMPLEMENTATION = "implementation", "5. Implementation"
    MONITORING = "monitoring", "6. Monitoring and review"
    WITHDRAWN = "withdrawn", "Withdrawn"


STAGE_OF: dict[str, str] = {
    Status.SCOPING: Stage.SCOPING,
    Status.COMMISSIONING: Stage.COMMISSIONING,
    Status.DEVELOPMENT: Stage.DEVELOPMENT,
    Status.SUBMITTED_FOR_QA: Stage.APPROVAL,
    Status.QA_PASSED: Stage.APPROVAL,
    Status.WITH_LEAD: Stage.APPROVAL,
    # SOP, "5. Implementation": "If approval for publication is given, final versions of the above documents are to
    # be sent to the Policy Co-ordination Unit to arrange publication". Approved (the co-ordinator sends it to PCU)
    # and with PCU for publication are stage 5, as the steps taken on them are (lifecycle.workflow).
    Status.APPROVED: Stage.IMPLEMENTATION,
    Status.AWAITING_PUBLICATION: Stage.IMPLEMENTATION,
    Status.IMPLEMENTATION: Stage.IMPLEMENTATION,
    Status.MONITORING: Stage.MONITORING,
    Status.WITHDRAWN: Stage.WITHDRAWN,
}


def statuses_in_stage(stage: str) -> list[str]:
    return [status for status, owning_stage in STAGE_OF.items() if owning_stage == stage]


# The approval pipeline: submitted to PCU (or approved by the emergency route) and not yet published, across stage 4
# and the start of stage 5. Not a stage: what the force-wide quality assurers see. SOP, "4. Approval": PCU "will
# co-ordinate the quality assurance process in conjunction with DCFD and DOI"; DCFD and DOI keep sight of the package
# they assured until PCU publishes it (lifecycle.selectors.visibility), and a developer's submitted drafts are listed
# until then (workspace.role_queues). The stage shown and filtered on is STAGE_OF's.
APPROVAL_PIPELINE = (Status.SUBMITTED_FOR_QA, Status.QA_PASSED, Status.WITH_LEAD, Status.APPROVED,
                     Status.AWAITING_PUBLICATION)


# Drafts are editable only in these statuses (issue: "Drafts are editable only while the policy is in
# scoping or development").
DRAFT_EDITABLE_STATUSES = frozenset({Status.SCOPING, Status.DEVELOPMENT})
PUBLISHED_STATUSES = frozenset({Status.IMPLEMENTATION, Status.MONITORING})
# SOP: "allow at least 6 months for a basic review": the review's warning period (lifecycle.due.REVIEW), which is
# also when a review may conclude that no change is needed (lifecycle.gates_no_change.review_window_open).
REVIEW_WARNING_MONTHS = 6
# The emergency route is taken from development, before the package is submitted: the statement and
# SOPs are frozen by the approval while the EIA stays open for its retrospective completion.
EMERGENCY_SOURCES = [Status.DEVELOPMENT]


class ProtectiveMarking(models.TextChoices):
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


def highest_marking(*markings: str) -> str:
    """The stricter of ``markings``: OFFICIAL-SENSITIVE if any is (empty ones, a marking not recorded, are none)."""
    return (ProtectiveMarking.OFFICIAL_SENSITIVE if ProtectiveMarking.OFFICIAL_SENSITIVE in markings
            else ProtectiveMarking.OFFICIAL)


class PolicyKind(models.TextChoices):
    CORPORATE = "corporate", "Corporate policy"
    # SOP, "Local Work Instructions": outside PCU, "still required to complete an Equality Impact
    # Assessment", and must not supplement corporate policy "unless there is prior agreement with the
    # corporate lead".
    LOCAL = "local", "Local work instruction"


class QADiscipline(models.TextChoices):
    # SOP, stage 4: "The Policy Co-ordination Unit will co-ordinate the quality assurance process in
    # conjunction with DCFD and DOI".
    PCU = "pcu", "Policy Co-ordination Unit"
    DCFD = "dcfd", "Diversity and Citizen Focus Directorate (EIA)"
    DOI = "doi", "Directorate of Information (information management)"


class ConsulteeType(models.TextChoices):
    SHRMT = "shrmt", "Safety and Health Risk Management Team"
    SUBJECT_EXPERT = "subject_expert", "Subject matter expert"
    INTERNAL = "internal", "Internal business group or unit"
    STAFF_ASSOCIATION = "staff_association", "Staff association or union"
    COMMUNITY = "community", "Community group or representative"
    EXTERNAL = "external", "External partner"


class Duty(models.TextChoices):
    """Separation of duties (issue 11): one person may not hold two of these on the same policy version
    (lifecycle.duties)."""

    AUTHOR = "author", "author or submitter"  # wrote or submitted it
    QA = "qa", "quality assurance"  # signed off one QA discipline (and never two)
    APPROVER = "approver", "approver"  # the Lead's decision, or the emergency approval
    PUBLISHER = "publisher", "publisher"  # PCU's publication
    # DCFD's part in a review concluding no change: confirming the Equality Impact Assessment still stands (or
    # reopening it), and signing its update off (lifecycle.workflow_monitoring.CONFIRM_EIA, SIGN_OFF_UPDATED_EIA).
    REVIEW_EIA = "review_eia", "the Equality Impact Assessment's check at a review"


class AdviceTeam(models.TextChoices):
    """Who may be invited to advise on a draft as a team (issue 12; SOP, roles): the force-wide roles of the same
    names (core.models.Role)."""

    DCFD = "dcfd", "Diversity and Citizen Focus Directorate (DCFD)"
    DOI = "doi", "Directorate of Information (DOI)"
    SHRMT = "shrmt", "Safety and Health Risk Management Team (SHRMT)"


# Where a page's policy instance (lifecycle.selectors.access_policy: read for one request, never changed by a service,
# which locks and reads its own) keeps what its gates read once (lifecycle.gates: the open no-change review and
# withdrawal decision, asked by the steps' readiness and again by what the policy waits for, Cycle.awaited).
PAGE_READS = "_policyhub_page_reads"


# The publication's side: the policy's current publication put on the Scheme (publication.Publication's fields, read
# through the policy's relation ``publications``: lifecycle imports nothing from publication). A version superseded
# by a newer publication is no longer current anywhere, even where the newer one was not put.
# publication.selectors.on_scheme asks it, and so do the words of a monitoring report's publication
# (assessments.selectors.report_kept_off_scheme) and the publish form's note on the version in force
# (lifecycle.forms.publishing). Beside lifecycle.models.policy.ON_THE_SCHEME, the policy's side.
SCHEME_PUBLICATION = {"status": "published", "on_publication_scheme": True, "superseded_at__isnull": True}
