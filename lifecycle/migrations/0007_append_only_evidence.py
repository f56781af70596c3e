"""Append-only protection for the rest of a policy package's evidence (issue 11, finding 3). Only triggers.

SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs"; and,
"Role of Policy Managers/Unit Heads": "Ensure an audit trail of consultation results and decisions is
maintained". Migration 0002 froze submitted versions and their SOP texts; these close what it left open."""

from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only

# An SOP's title and marking are not versioned but are part of every submitted package (the title is in the
# content hash, the marking decides who may read it): once any package holding the SOP has been submitted they
# may not change, nor may the SOP move to another policy or be deleted. Its position and the publish flag stay
# editable for later drafts.
SOP_SUBMITTED = (
    "(TG_OP = 'DELETE' OR OLD.title IS DISTINCT FROM NEW.title"
    " OR OLD.protective_marking IS DISTINCT FROM NEW.protective_marking"
    " OR OLD.policy_id IS DISTINCT FROM NEW.policy_id)"
    " AND EXISTS (SELECT 1 FROM lifecycle_sopversion s JOIN lifecycle_policyversion v ON v.id = s.policy_version_id"
    " WHERE s.sop_id = OLD.id AND v.submitted_at IS NOT NULL)"
)
sop_forward, sop_reverse = append_only_trigger_sql(
    "lifecycle_standardoperatingprocedure", when=SOP_SUBMITTED,
    message="an SOP in a submitted package keeps its title, marking and policy, and is never deleted",
)

# A consultation record is frozen once a version of its cycle has been submitted and no draft of that cycle is
# open. While returned work continues in a new draft of the same cycle the service still lets a late response be
# recorded (each change is in the audit chain with what it replaced); once the cycle's last version is
# submitted, approved or superseded by the next cycle, the record is evidence.
CONSULTATION_CLOSED = (
    "EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.policy_id = OLD.policy_id AND v.major = OLD.cycle"
    " AND v.submitted_at IS NOT NULL)"
    " AND NOT EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.policy_id = OLD.policy_id"
    " AND v.major = OLD.cycle AND v.submitted_at IS NULL)"
)
consultation_forward, consultation_reverse = append_only_trigger_sql(
    "lifecycle_consultationrecord", when=CONSULTATION_CLOSED,
    message="a consultation record of a submitted cycle is evidence: UPDATE and DELETE are refused",
)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0006_policy_not_in_force_idx_column_order")]
    operations = [
        postgres_only(sop_forward, sop_reverse),
        postgres_only(consultation_forward, consultation_reverse),
    ]
