from django.dispatch import Signal

# Sent inside the transaction that creates a new draft PolicyVersion.
# Arguments: new_version, previous_version (None for a new policy), actor.
draft_version_created = Signal()

# Sent inside the transaction that withdraws a policy (issue 13), so that what other apps keep for it stops in the
# same transaction: its open reminders (notifications), its scheduled publications (publication).
# Arguments: policy (locked), actor.
policy_withdrawn = Signal()

# Sent to ask which of some published policies a user may read in the library now (one withdrawn, in its archive),
# for a page that names policies out of their sight in the register: notifications' inbox leads there (QA crawl,
# finding 18). The library answers by its own rule (lifecycle does not import the library, nor notifications it).
# Arguments: user, policy_ids; each receiver returns a set of ids.
library_readable_requested = Signal()
