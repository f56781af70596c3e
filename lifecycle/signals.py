from django.dispatch import Signal

# Sent inside the transaction that creates a new draft PolicyVersion.
# Arguments: new_version, previous_version (None for a new policy), actor.
draft_version_created = Signal()

# Sent inside the transaction that withdraws a policy (issue 13), so that what other apps keep for it stops in the
# same transaction: its open reminders (notifications), its scheduled publications (publication).
# Arguments: policy (locked), actor.
policy_withdrawn = Signal()
