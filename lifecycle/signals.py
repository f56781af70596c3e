from django.dispatch import Signal

# Sent inside the transaction that creates a new draft PolicyVersion.
# Arguments: new_version, previous_version (None for a new policy), actor.
draft_version_created = Signal()
