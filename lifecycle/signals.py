from django.dispatch import Signal

# Sent inside the transaction that creates a new draft PolicyVersion.
# Arguments: new_version, previous_version (None for a new policy), actor.
draft_version_created = Signal()

# Sent inside the transaction that withdraws a policy (issue 13), so that what other apps keep for it stops in the
# same transaction: its open reminders (notifications), its scheduled publications (publication).
# Arguments: policy (locked), actor.
policy_withdrawn = Signal()

# Sent inside the transaction in which the Designated Lead or the owner decides to withdraw a policy: from then it waits
# for PCU to carry the withdrawal out (lifecycle.deadlines.WITHDRAWAL, from the decision), no longer for the step of the
# status it is in, so what other apps chase for that step stops in the same transaction: the reminders of work waiting
# there too long (notifications; QA walk in Chromium: the co-ordinator was still chased to forward POL-0010 to the
# Designated Lead after its withdrawal was decided).
# Arguments: policy (locked), decision (the WithdrawalDecision recorded).
withdrawal_decided = Signal()

# Sent inside the transaction of every step that moves a policy's status (``services.base.fire``, the one place a
# status changes), so that what other apps keep for the stage it leaves stops in the same transaction: the reminders
# that chased the work waiting there too long (notifications; found on 2026-12-06: POL-0009's "has been waiting for the
# Designated Lead's decision" stayed New after the Lead approved it). Why it left says why they stop: a step taken, or
# the review draft withdrawn (``WITHDRAW_REVIEW_DRAFT``'s ways back), which ends the draft's every stage, the work its
# reminders chased with it.
# Arguments: policy (locked, its new status and status_changed_at set), before (the status it left), action (the step's
# audit action, core.events.AuditAction: what moved it).
status_changed = Signal()

# Sent inside the transaction that records a quality assurance discipline's sign-off (PCU, DCFD or DOI; SOP stage 4:
# "The Policy Co-ordination Unit will co-ordinate the quality assurance process in conjunction with DCFD and DOI"),
# whether or not it is the last: what other apps keep chasing that discipline for stops in the same transaction (the
# reminders of quality assurance waiting too long addressed to it, notifications; found on 2026-12-06: DCFD's stayed New
# after DCFD signed, the status unchanged while PCU and DOI had not). The last one's transaction moves the status on
# too (``status_changed``).
# Arguments: policy (locked), version (the package signed off), discipline (lifecycle.states.QADiscipline).
qa_signed_off = Signal()

# Sent inside the transaction that completes a policy's review: the event that moves its review date on (SOP,
# "Monitoring and Review": "All policies will be reviewed at least every 3 years"; the date stays in force until then,
# lifecycle.due.REVIEW), the reviewed version's publication (``services.policy_set_publication_dates``: PCU's, or a
# local work instruction's approval) or, after a review that concluded no change, the re-publication of the version in
# force (``services.policy_record_republication``). Not at a first publication: no review was due. So that what other
# apps keep chasing that review stops in the same transaction: its reminders (notifications; QA walk of 2026-12-05,
# qa9: "is overdue by 249 days" stayed New after the re-publication, and a handover passed it on).
# Arguments: policy (locked, its next review date set), due_on (the review date it answered).
review_completed = Signal()

# Sent inside the transaction that changes a policy's review date while its review stands: brought forward
# (``services.policy_set_review_date``; SOP, "Monitoring and Review": "if no earlier review has been prompted by
# monitoring results, or external factors"). So that what other apps chase for the date it replaces stops in the same
# transaction: its reminders, which quote it (notifications; they close as at ``review_completed``, by the same rule).
# Arguments: policy (locked, its new review date set), due_on (the review date before).
review_date_changed = Signal()

# Sent to ask which of some published policies a user may read in the library now (one withdrawn, in its archive),
# for a page that names policies out of their sight in the register: notifications' inbox leads there (QA crawl,
# finding 18). The library answers by its own rule (lifecycle does not import the library, nor notifications it).
# Arguments: user, policy_ids; each receiver returns a set of ids.
library_readable_requested = Signal()
