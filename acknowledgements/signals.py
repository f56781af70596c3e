from django.dispatch import Signal

# Sent inside the transaction of acknowledgement_confirm, once the confirmation and its audit event are written, so that
# what other apps keep asking for it stops in the same transaction: the requests to read it in the person's inbox
# (notifications; this app does not import notifications, which builds on it).
# Arguments: acknowledgement (its user, policy and version).
policy_acknowledged = Signal()
