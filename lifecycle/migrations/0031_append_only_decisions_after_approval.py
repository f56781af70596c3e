"""The decisions made after approval are evidence, as the commissioning, QA and approval decisions have been since
migration 0002 (integrity review of 2026-12-06, MEDIUM 7: a raw UPDATE or DELETE of these succeeded). Only triggers.

SOP, "Role of Policy Managers/Unit Heads": "Ensure an audit trail of consultation results and decisions is maintained
on the registered file"; and audit trails are kept "to assist in court cases and disciplinary and misconduct
investigations".

Each is written once by its service and then filled in only by the one-way steps its services take
(core.db.written_once_when): what was decided, by whom and when, is never changed; a step's columns are written only by
the one UPDATE that takes it, after the step before it; no row is deleted. The services' own updates:
  - a withdrawal decision (lifecycle.services.review: ``policy_decide_withdrawal``): PCU carries it out
    (``policy_withdraw``: carried_out_at, carried_out_by);
  - an emergency request (lifecycle.services.approval: ``policy_request_emergency_approval``): PCU agrees
    (``policy_agree_emergency_approval``: agreed, answered_by, answered_at) or refuses, saying why
    (``policy_refuse_emergency_approval``: the same and refusal_reason);
  - a no-change review (lifecycle.services.review: ``policy_conclude_no_change``): DCFD confirms the EIA
    (``policy_confirm_eia``: eia_outcome, eia_comments, eia_confirmed_by, eia_confirmed_at and, when it must be updated,
    updated_eia_version); DCFD signs the updated EIA off (assessments.services.documents.eia_sign_off_update:
    updated_eia_signed_off_by, updated_eia_signed_off_at), only after saying it must be updated; PCU re-publishes
    (publication.services.publishing.policy_republish_no_change: republished_on, republished_by), only once the EIA is
    confirmed and, if it was to be updated, the update signed off.

PostgreSQL only, as the other append-only triggers: SQLite is only ``make run``'s zero-set-up default. A later data
migration that must rewrite these rows switches the trigger off for its statement, as the owner that runs migrations
(the app's role cannot: core.management.commands.db_roles), as assessments 0008 does."""

from django.db import migrations

from core.db import Fill, append_only_trigger_sql, postgres_only, written_once_when

withdrawal_forward, withdrawal_reverse = append_only_trigger_sql(
    "lifecycle_withdrawaldecision",
    when=written_once_when(Fill(("carried_out_at", "carried_out_by_id"), requires="NEW.carried_out_by_id IS NOT NULL")),
    message="a withdrawal decision is evidence: it is carried out once, and UPDATE and DELETE of it are otherwise "
            "refused",
)

emergency_forward, emergency_reverse = append_only_trigger_sql(
    "lifecycle_emergencyrequest",
    # Agreed, or refused with a reason: a reason is written only with a refusal.
    when=written_once_when(Fill(("answered_at", "answered_by_id", "agreed", "refusal_reason"),
                                requires="NEW.answered_by_id IS NOT NULL AND NEW.agreed IS NOT NULL"
                                         " AND (NOT NEW.agreed OR NEW.refusal_reason = '')")),
    message="an emergency request is evidence: it is answered once, and UPDATE and DELETE of it are otherwise refused",
)

no_change_forward, no_change_reverse = append_only_trigger_sql(
    "lifecycle_nochangereview",
    when=written_once_when(
        # DCFD confirms the EIA: a new version reopened for it exactly when it must be updated.
        Fill(("eia_confirmed_at", "eia_confirmed_by_id", "eia_outcome", "eia_comments", "updated_eia_version_id"),
             requires="NEW.eia_confirmed_by_id IS NOT NULL"
                      " AND (NEW.eia_outcome = 'updated') = (NEW.updated_eia_version_id IS NOT NULL)"),
        # DCFD signs the updated EIA off: only one DCFD said must be updated, in an earlier step.
        Fill(("updated_eia_signed_off_at", "updated_eia_signed_off_by_id"),
             requires="NEW.updated_eia_signed_off_by_id IS NOT NULL AND OLD.eia_outcome = 'updated'"),
        # PCU re-publishes: once the EIA was confirmed, and any update signed off, in earlier steps.
        Fill(("republished_on", "republished_by_id"),
             requires="NEW.republished_by_id IS NOT NULL AND OLD.eia_confirmed_at IS NOT NULL"
                      " AND (OLD.eia_outcome = 'stands' OR OLD.updated_eia_signed_off_at IS NOT NULL)"),
    ),
    message="a no-change review is evidence: each part is recorded once, in turn, and UPDATE and DELETE of it are "
            "otherwise refused",
)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0030_version_withdrawn_has_marking")]
    operations = [
        postgres_only(withdrawal_forward, withdrawal_reverse),
        postgres_only(emergency_forward, emergency_reverse),
        postgres_only(no_change_forward, no_change_reverse),
    ]
