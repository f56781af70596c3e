"""Every audit action PolicyHub writes, by name: the one vocabulary of the audit trail and of the outbox.

An audit action is also the domain event that notifications route (``notifications.services.EVENT_RECIPIENTS``
is keyed by this enum, and a test proves every member has a routing entry, even "nobody"). The values are
dotted names, and they are evidence: events already written keep their names for ever, so a member is never
renamed, only added.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # --- a policy's cycle (lifecycle.workflow declares the steps that write these) ---------------
    POLICY_CREATED = "policy.created"
    POLICY_DRAFT_SAVED = "policy.draft_saved"
    POLICY_COMMISSIONING_REQUESTED = "policy.commissioning_requested"
    POLICY_COMMISSIONED = "policy.commissioned"
    POLICY_COMMISSIONING_DECLINED = "policy.commissioning_declined"
    POLICY_SUBMITTED_FOR_QA = "policy.submitted_for_qa"
    POLICY_QA_SIGNED_OFF_PCU = "policy.qa_signed_off.pcu"
    POLICY_QA_SIGNED_OFF_DCFD = "policy.qa_signed_off.dcfd"
    POLICY_QA_SIGNED_OFF_DOI = "policy.qa_signed_off.doi"
    POLICY_QA_PASSED = "policy.qa_passed"
    POLICY_RETURNED_FROM_QA = "policy.returned_from_qa"
    POLICY_FORWARDED_TO_LEAD = "policy.forwarded_to_lead"
    POLICY_APPROVED = "policy.approved"
    POLICY_REJECTED = "policy.rejected"
    # Issue 13: the Lead asks for the emergency route; a member of PCU agrees (POLICY_EMERGENCY_APPROVED) or refuses.
    POLICY_EMERGENCY_REQUESTED = "policy.emergency_requested"
    POLICY_EMERGENCY_APPROVED = "policy.emergency_approved"
    POLICY_EMERGENCY_REFUSED = "policy.emergency_refused"
    POLICY_FORWARDED_FOR_PUBLICATION = "policy.forwarded_for_publication"
    POLICY_PUBLICATION_SCHEDULED = "policy.publication_scheduled"
    POLICY_PUBLICATION_CANCELLED = "policy.publication_cancelled"
    POLICY_PUBLICATION_BROUGHT_FORWARD = "policy.publication_brought_forward"
    POLICY_PUBLICATION_SUPERSEDED = "policy.publication_superseded"
    POLICY_PUBLISHED = "policy.published"
    # Issue 14: the files of a publication rendered once and stored with their SHA-256; a stored file that no
    # longer matches its hash, refused at download (PCU is told); a part of a SOP withheld from its public copy.
    PUBLICATION_FILES_STORED = "publication.files_stored"
    PUBLICATION_FILE_TAMPERED = "publication.file_tampered"
    # A publication's files that could not be stored after the task's last attempt (the file store unwritable or
    # full, the PDF not produced): PCU is told; PCU asks for them to be stored again.
    PUBLICATION_FILES_NOT_STORED = "publication.files_not_stored"
    PUBLICATION_FILES_STORE_REQUESTED = "publication.files_store_requested"
    SOP_REDACTION_RECORDED = "sop.redaction_recorded"
    SOP_REDACTION_REMOVED = "sop.redaction_removed"
    POLICY_IMPLEMENTATION_COMPLETED = "policy.implementation_completed"
    POLICY_REVIEW_STARTED = "policy.review_started"
    # QA walk: the Designated Lead withdraws a review draft before approving it (the versions kept, marked withdrawn);
    # the version in force stays in force.
    POLICY_REVIEW_DRAFT_WITHDRAWN = "policy.review_draft_withdrawn"
    POLICY_REVIEW_CONCLUDED_NO_CHANGE = "policy.review_concluded_no_change"
    POLICY_REVIEW_DATE_BROUGHT_FORWARD = "policy.review_date_brought_forward"
    # A review concluding no change (issue 13): the Lead concludes (POLICY_REVIEW_CONCLUDED_NO_CHANGE), DCFD
    # confirms the EIA, PCU re-publishes the version in force.
    POLICY_REVIEW_EIA_CONFIRMED = "policy.review_eia_confirmed"
    # DCFD said the EIA must be updated: the update, made in the reopened EIA (the drafters' first save that changes
    # it revises it, lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA), signed off by DCFD.
    POLICY_REVIEW_EIA_REVISED = "policy.review_eia_revised"
    POLICY_REVIEW_EIA_UPDATE_SIGNED_OFF = "policy.review_eia_update_signed_off"
    POLICY_REPUBLISHED_NO_CHANGE = "policy.republished_no_change"
    # Issue 13: the Lead or the owner decides a withdrawal; PCU carries it out (POLICY_WITHDRAWN).
    POLICY_WITHDRAWAL_DECIDED = "policy.withdrawal_decided"
    POLICY_WITHDRAWN = "policy.withdrawn"
    POLICY_EIA_COMPLETED_RETROSPECTIVELY = "policy.eia_completed_retrospectively"
    # Issue 13, local work instructions: the corporate policy's Lead agrees to one that supplements it; its business
    # group's Lead approves it, which puts it on the intranet for that group (never on the Publication Scheme).
    LOCAL_INSTRUCTION_AGREED = "policy.local_instruction_agreed"
    LOCAL_INSTRUCTION_APPROVED = "policy.local_instruction_approved"
    POLICY_ACCESS_GRANTED = "policy.access_granted"
    POLICY_ACCESS_REVOKED = "policy.access_revoked"
    # Issue 12: the document details (title, purpose, marking, scheme suitability, risk tier, file, legislation)
    # changed while the policy is drafted, with each detail's before and after.
    POLICY_DETAILS_CHANGED = "policy.details_changed"
    # Issue 12, advice during development: DCFD, DOI, SHRMT or a named colleague invited to see and comment on a
    # draft, the invitation withdrawn, and the advice given.
    POLICY_ADVICE_INVITED = "policy.advice_invited"
    POLICY_ADVICE_WITHDRAWN = "policy.advice_withdrawn"
    POLICY_ADVICE_GIVEN = "policy.advice_given"
    # Security probe F2: someone who is no longer cleared for an OFFICIAL-SENSITIVE policy (a role taken away, the
    # account closed) loses, in that change's transaction, their invitation to advise on it and their access to it
    # (lifecycle.services.clearance); the policy's developers and manager are told, and whoever invited them.
    POLICY_ADVICE_WITHDRAWN_NOT_CLEARED = "policy.advice_withdrawn_not_cleared"
    POLICY_ACCESS_REVOKED_NOT_CLEARED = "policy.access_revoked_not_cleared"
    # A corporate policy's Designated Lead no longer cleared (a role taken away) for an OFFICIAL-SENSITIVE local work
    # instruction that supplements it, whose "prior agreement with the corporate lead" they could not give: recorded
    # on the corporate policy in that change's transaction, PCU and its co-ordinator told (lifecycle.services.
    # lead_clearance). The Lead is not changed.
    POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS = "policy.lead_not_cleared_for_instructions"
    # People move, records stay (issue 12, lifecycle.services.people): one holder replaced on one policy; the
    # policy moved to another business group (PCU's alone); one policy's part of a leaver's handover; and the
    # handover itself, recorded on the leaver (it notifies, once, not per policy: the leaver, who takes over, and each
    # affected business group's co-ordinators and Lead, of their group's policies).
    POLICY_REASSIGNED = "policy.reassigned"
    POLICY_MOVED_BUSINESS_GROUP = "policy.moved_business_group"
    POLICY_HANDED_OVER = "policy.handed_over"
    PERSON_HANDED_OVER = "person.handed_over"

    # Read and acknowledge (issue 14, acknowledgements): whom PCU asked, when it published a version, to confirm
    # they have read it; and each person's confirmation of one version.
    POLICY_ACKNOWLEDGEMENT_AUDIENCE_CHOSEN = "policy.acknowledgement_audience_chosen"
    POLICY_ACKNOWLEDGED = "policy.acknowledged"

    # --- SOPs and consultation --------------------------------------------------------------------
    SOP_CREATED = "sop.created"
    SOP_DRAFT_SAVED = "sop.draft_saved"
    # Taken out of the working draft only: a submitted version that holds the SOP keeps it (lifecycle.services).
    SOP_REMOVED_FROM_DRAFT = "sop.removed_from_draft"
    CONSULTATION_RECORDED = "consultation.recorded"
    CONSULTATION_RESPONSE_RECORDED = "consultation.response_recorded"

    # --- assessments ------------------------------------------------------------------------------
    EIA_UPDATED = "eia.updated"
    WORKBOOK_UPDATED = "workbook.updated"
    MONITORING_REPORT_CREATED = "monitoring_report.created"
    MONITORING_REPORT_UPDATED = "monitoring_report.updated"
    MONITORING_REPORT_SUBMITTED = "monitoring_report.submitted"
    MONITORING_REPORT_RETURNED = "monitoring_report.returned"
    MONITORING_REPORT_QA_PASSED = "monitoring_report.qa_passed"
    MONITORING_REPORT_PUBLISHED = "monitoring_report.published"
    # A draft started by mistake: its period corrected, or the draft discarded by its author or PCU.
    MONITORING_REPORT_PERIOD_CORRECTED = "monitoring_report.period_corrected"
    MONITORING_REPORT_DISCARDED = "monitoring_report.discarded"
    # Issue 13: the Lead's response to a quality-assured report, the remedial action it directed being done, and a
    # review reading the reports since the last review.
    MONITORING_REPORT_RESPONDED = "monitoring_report.responded"
    MONITORING_REMEDIAL_ACTION_COMPLETED = "monitoring_report.remedial_action_completed"
    MONITORING_REPORT_READ_FOR_REVIEW = "monitoring_report.read_for_review"

    # --- people and reference data (the admin) ------------------------------------------------------
    ROLE_ASSIGNED = "role.assigned"
    ROLE_REVOKED = "role.revoked"
    # A role given to someone who already holds another of the independent checks (PCU, DCFD, DOI, a Lead):
    # allowed, since people cover for each other, but flagged to PCU (issue 11, separation of duties).
    ROLE_CONFLICT_FLAGGED = "role.conflict_flagged"
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"
    USER_DEACTIVATED = "user.deactivated"
    REFERENCE_BUSINESSGROUP_CREATED = "reference.businessgroup.created"
    REFERENCE_BUSINESSGROUP_CHANGED = "reference.businessgroup.changed"
    REFERENCE_BUSINESSGROUP_DELETED = "reference.businessgroup.deleted"
    REFERENCE_UNIT_CREATED = "reference.unit.created"
    REFERENCE_UNIT_CHANGED = "reference.unit.changed"
    REFERENCE_UNIT_DELETED = "reference.unit.deleted"
    REFERENCE_BOARD_CREATED = "reference.board.created"
    REFERENCE_BOARD_CHANGED = "reference.board.changed"
    REFERENCE_BOARD_DELETED = "reference.board.deleted"
    REFERENCE_APPROVALROUTE_CREATED = "reference.approvalroute.created"
    REFERENCE_APPROVALROUTE_CHANGED = "reference.approvalroute.changed"
    REFERENCE_APPROVALROUTE_DELETED = "reference.approvalroute.deleted"
    REFERENCE_SUBJECT_CREATED = "reference.subject.created"
    REFERENCE_SUBJECT_CHANGED = "reference.subject.changed"
    REFERENCE_SUBJECT_DELETED = "reference.subject.deleted"

    # --- the public information pages (guidance): PCU edits a page's text --------------------------------
    SITE_PAGE_UPDATED = "site_page.updated"

    # --- sign-in and who may do what (core.receivers, core.admin; they belong to no policy) ---------------
    AUTH_SIGNED_IN = "auth.signed_in"
    AUTH_SIGNED_OUT = "auth.signed_out"
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
    AUTH_LOCKED_OUT = "auth.locked_out"
    USER_PASSWORD_SET_BY_ADMIN = "user.password_set_by_admin"
    # A person's own password (core.accounts.user_password_set): changed knowing the old one, or reset by e-mail.
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_PASSWORD_RESET = "user.password_reset"
    # Changes made below the services (a shell, a script, a data fix), which no service audited.
    USER_PASSWORD_CHANGED_OUTSIDE_SERVICES = "user.password_changed_outside_services"
    ROLE_ASSIGNED_OUTSIDE_SERVICES = "role.assigned_outside_services"
    ROLE_REVOKED_OUTSIDE_SERVICES = "role.revoked_outside_services"
    GRANT_ADDED_OUTSIDE_SERVICES = "grant.added_outside_services"
    GRANT_REMOVED_OUTSIDE_SERVICES = "grant.removed_outside_services"

    @classmethod
    def qa_signed_off(cls, discipline: str) -> AuditAction:
        """The sign-off action of one QA discipline (``pcu``, ``dcfd`` or ``doi``)."""
        return cls(f"policy.qa_signed_off.{discipline}")

    @classmethod
    def reference(cls, model_name: str, change: str) -> AuditAction:
        """``reference.<model>.<created|changed|deleted>`` for a reference-data model edited in the admin."""
        return cls(f"reference.{model_name}.{change}")
