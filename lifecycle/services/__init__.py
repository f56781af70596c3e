"""Every state change of a policy goes through one of these functions, split by concern:

- ``base``: the ceremony every step shares (lock, stale and version checks, permission, gates, duties, fire,
  audit), written once;
- ``drafting``: creating a policy, its draft statement and SOPs, new draft versions and freezing;
- ``consultation``: the consultation log;
- ``quality_assurance``: submission, the PCU/DCFD/DOI sign-offs, returning, forwarding to the Lead;
- ``commissioning``: stages 1 and 2, the request to commission and the decision;
- ``approval``: stage 4, the Lead's decision, the emergency route, forwarding for publication, and a corporate
  Lead's agreement to a local work instruction;
- ``review``: stages 5 and 6, publication recorded, implementation, review, withdrawal;
- ``access``: per-object grants;
- ``advice``: DCFD, DOI, SHRMT or a colleague invited to advise on a draft (issue 12);
- ``details``: the document details, changed while the policy is drafted (issue 12).

Each step's rule is declared once in ``lifecycle.workflow``; a service holds only what is particular to it.
Importing from ``lifecycle.services`` is the public interface.
"""

from lifecycle.services.access import GRANTABLE, policy_grant_access, policy_revoke_access
from lifecycle.services.advice import advice_comment, advice_invite, advice_withdraw
from lifecycle.services.approval import (
    policy_agree_emergency_approval,
    policy_agree_local_supplement,
    policy_approve,
    policy_forward_for_publication,
    policy_refuse_emergency_approval,
    policy_reject,
    policy_request_emergency_approval,
)
from lifecycle.services.base import (
    check_expected_status,
    check_version_read,
    lock_policy,
    require_actor,
)
from lifecycle.services.clearance import person_uncleared_withdraw, policy_uncleared_withdraw
from lifecycle.services.commissioning import (
    policy_commission,
    policy_decline_commissioning,
    policy_request_commissioning,
)
from lifecycle.services.consultation import consultation_record, consultation_record_response, response_seen
from lifecycle.services.details import approval_board, policy_update_details
from lifecycle.services.drafting import draft_revision_restore, draft_update, policy_create
from lifecycle.services.quality_assurance import (
    policy_forward_to_lead,
    policy_record_qa_signoff,
    policy_return_from_qa,
    policy_submit_for_qa,
)
from lifecycle.services.review import (
    policy_complete_implementation,
    policy_conclude_no_change,
    policy_confirm_eia,
    policy_decide_withdrawal,
    policy_put_marking_in_force,
    policy_put_title_in_force,
    policy_record_publication,
    policy_record_republication,
    policy_set_publication_dates,
    policy_set_review_date,
    policy_start_review,
    policy_withdraw,
)
from lifecycle.services.review_draft import policy_withdraw_review_draft
from lifecycle.services.sops import (
    MAX_SOPS_PER_DRAFT,
    sop_create,
    sop_last_removal,
    sop_remove_from_draft,
    sop_removed_from_draft,
    sop_update_draft,
)
from lifecycle.services.working_draft import revision_record

__all__ = [
    "GRANTABLE",
    "MAX_SOPS_PER_DRAFT",
    "advice_comment",
    "advice_invite",
    "advice_withdraw",
    "approval_board",
    "check_expected_status",
    "check_version_read",
    "consultation_record",
    "consultation_record_response",
    "response_seen",
    "draft_revision_restore",
    "draft_update",
    "lock_policy",
    "person_uncleared_withdraw",
    "policy_uncleared_withdraw",
    "policy_approve",
    "policy_commission",
    "policy_complete_implementation",
    "policy_conclude_no_change",
    "policy_confirm_eia",
    "policy_create",
    "policy_decide_withdrawal",
    "policy_decline_commissioning",
    "policy_agree_emergency_approval",
    "policy_agree_local_supplement",
    "policy_forward_for_publication",
    "policy_forward_to_lead",
    "policy_grant_access",
    "policy_record_publication",
    "policy_record_republication",
    "policy_record_qa_signoff",
    "policy_refuse_emergency_approval",
    "policy_reject",
    "policy_request_commissioning",
    "policy_request_emergency_approval",
    "policy_return_from_qa",
    "policy_revoke_access",
    "policy_put_marking_in_force",
    "policy_put_title_in_force",
    "policy_set_publication_dates",
    "policy_set_review_date",
    "policy_start_review",
    "policy_withdraw_review_draft",
    "policy_submit_for_qa",
    "policy_update_details",
    "policy_withdraw",
    "require_actor",
    "revision_record",
    "sop_create",
    "sop_remove_from_draft",
    "sop_last_removal",
    "sop_removed_from_draft",
    "sop_update_draft",
]
