"""People move, records stay (issue 12): who holds what on a policy, and replacing them.

The parts a policy names (SOP, "Roles and responsibilities"): its Management Board owner, its Designated
Business Group Policy Lead, its Policy Manager / Unit Head, its Business Group Policy Co-ordinator, and its
named Policy Developers. Who may change them, from the SOP:

- PCU, force-wide: "Identify and help to resolve boundary issues for ownership of policy" and "Develop and
  maintain the Corporate Policy Database".
- The group's co-ordinator, within their group: "Ensure good governance so that policies within the BG are
  reviewed, monitored and published" (replacing the manager, the co-ordinator and the developers).
- The owner and the Lead need PCU: the owner will "Retain ultimate ownership of and responsibility for policy",
  and the Lead approves "on behalf of their Management Board member"; a co-ordinator cannot choose either.
- A move to another business group is PCU's alone (it changes whose governance the policy is under).

Every change runs in one transaction with the policy rows locked, has a reason, writes its audit event, and
tells the apps above (``holders_changed``, connected by notifications) so that open reminders follow the new
holder. The new holder's account row is locked too (FOR NO KEY UPDATE), so ``core.holdings.user_deactivate``
cannot deactivate someone while they are being named. A leaver's whole portfolio moves in ONE transaction
(``person_handover``) with a fixed number of queries plus the audit chain's four per policy.

Split by concern: ``parts`` (the parts, who may change each, who may hold it), ``changes`` (one part of one
policy, a move to another business group), ``handover`` (a leaver's whole portfolio). Imports run one way:
``changes`` and ``handover`` use ``parts``. Importing from ``lifecycle.services.people`` is the interface.
"""

from lifecycle.services.people.changes import (
    policy_add_developer,
    policy_move_business_group,
    policy_reassign,
    policy_remove_developer,
    policy_replace_developer,
)
from lifecycle.services.people.handover import (
    HandoverPlan,
    HandoverResult,
    Holding,
    handover_preview,
    handover_scope_check,
    holdings_of,
    may_hand_over,
    may_open_portfolio,
    person_handover,
)
from lifecycle.services.people.parts import (
    DESIGNATED_LEAD,
    DEVELOPER,
    PARTS,
    REASON_MAX_LENGTH,
    SINGLE_PARTS,
    HolderChange,
    OpenTask,
    Part,
    check_may,
    check_new_holder,
    holders_changed,
    holds_part,
    lock_people,
    may_reassign,
    open_tasks_requested,
    part_for,
    role_assignments_of,
    withdrawn_people_kept,
)

__all__ = [
    "DESIGNATED_LEAD",
    "DEVELOPER",
    "HandoverPlan",
    "HandoverResult",
    "HolderChange",
    "Holding",
    "OpenTask",
    "PARTS",
    "Part",
    "REASON_MAX_LENGTH",
    "SINGLE_PARTS",
    "check_may",
    "check_new_holder",
    "handover_preview",
    "handover_scope_check",
    "holders_changed",
    "holdings_of",
    "holds_part",
    "lock_people",
    "may_hand_over",
    "may_open_portfolio",
    "may_reassign",
    "open_tasks_requested",
    "part_for",
    "person_handover",
    "policy_add_developer",
    "policy_move_business_group",
    "policy_reassign",
    "policy_remove_developer",
    "policy_replace_developer",
    "role_assignments_of",
    "withdrawn_people_kept",
]
