"""Chasing, the outbox relay and the daily digest, by concern:

- ``schedule``: when to chase (pure date arithmetic);
- ``people``: who answers for a policy (role holders, named people);
- ``rules``: the reminders one policy calls for today, one kind per method;
- ``plan``: the day's plan for the whole register (reads only, a fixed number of queries);
- ``ledger``: running the chase, writing the plan to the ledger exactly once; telling the staff a publication asks
  to read it, with their reminders;
- ``inbox``: an inbox item per reminder, filed in the day's digest;
- ``digests``: one digest e-mail per person per day, sent once;
- ``handover``: a leaver's handover, told to each person it concerns, of the policies that concern them;
- ``outbox``: audit events relayed to the people each action concerns;
- ``reminders``: open reminders follow the new holder, stop on withdrawal, and close once what they chase is done
  or its date has moved.

Callers import from here (``from notifications.services import chase_run``); the modules import one another
in that order.
"""

from lifecycle.deadlines import working_days_after  # the stuck threshold's arithmetic, shared with the dashboard
from notifications.services.digests import digest_send, digests_pending, digests_prepare
from notifications.services.inbox import (
    draft_items_close,
    notifications_mark_read,
    reminders_to_inbox,
    report_qa_items_close,
    requests_to_read_mark_read,
)
from notifications.services.ledger import ChaseResult, acknowledgement_requests_tell, chase_run
from notifications.services.outbox import (
    EVENT_RECIPIENTS,
    FORCE_WIDE_KINDS,
    NAMED_IN_CHANGES,
    NOBODY,
    outbox_relay,
)
from notifications.services.people import People, active_role_holders
from notifications.services.plan import POLICY_FIELDS, chase_plan
from notifications.services.reminders import (
    KIND_PARTS,
    emergency_eia_reminders_close,
    monitoring_qa_reminders_close,
    monitoring_reminders_answered,
    open_reminders,
    open_tasks_for,
    qa_reminders_signed_off_close,
    remedial_reminders_close,
    reminders_hand_over,
    reminders_stop_for,
    review_reminders_close,
    stuck_reminders_close,
    withdrawal_decided_reminders_close,
)
from notifications.services.rules import STUCK_STATUSES, PlannedReminder, PolicyChase
from notifications.services.schedule import latest_step

__all__ = [
    "EVENT_RECIPIENTS", "FORCE_WIDE_KINDS", "KIND_PARTS", "NAMED_IN_CHANGES", "NOBODY", "POLICY_FIELDS",
    "STUCK_STATUSES", "ChaseResult", "People", "PlannedReminder", "PolicyChase", "acknowledgement_requests_tell",
    "active_role_holders", "chase_plan", "chase_run", "digest_send", "digests_pending", "digests_prepare",
    "draft_items_close", "emergency_eia_reminders_close", "latest_step", "monitoring_qa_reminders_close",
    "monitoring_reminders_answered", "notifications_mark_read", "open_reminders", "open_tasks_for", "outbox_relay",
    "qa_reminders_signed_off_close", "remedial_reminders_close", "reminders_hand_over", "reminders_stop_for",
    "reminders_to_inbox", "report_qa_items_close", "requests_to_read_mark_read", "review_reminders_close",
    "stuck_reminders_close", "withdrawal_decided_reminders_close", "working_days_after",
]
