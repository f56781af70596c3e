"""The chasing ledger, the in-app inbox and the daily e-mail digest.

SOP, "Role of Business Group Policy Co-ordinator": "Ensure policy reviews and monitoring reports are
completed on time by the policy authors through employing a system of prompts and reminders."
"""

from django.conf import settings
from django.db import models

from lifecycle.states import ProtectiveMarking


class ReminderKind(models.TextChoices):
    REVIEW_DUE = "review_due", "3-yearly review"
    MONITORING_DUE = "monitoring_due", "Annual monitoring report"
    MONITORING_QA = "monitoring_qa", "Monitoring report waiting for quality assurance"
    EMERGENCY_EIA = "emergency_eia", "Equality Impact Assessment after emergency approval"
    STUCK = "stuck", "Work waiting too long"
    ORPHAN = "orphan", "Policy with an inactive or uncleared owner, Lead, manager, co-ordinator or developer"
    ACKNOWLEDGEMENT = "acknowledgement", "Policy to read and acknowledge"
    REMEDIAL_ACTION = "remedial_action", "Remedial action after a monitoring report"
    # A withdrawal the Designated Lead or the owner decided, past its deadline counted from the decision
    # (lifecycle.deadlines.WITHDRAWAL), chased to PCU until PCU carries it out (which stops every reminder of the
    # policy).
    WITHDRAWAL = "withdrawal", "Withdrawal decided, waiting to be carried out"


class ReminderClosed(models.TextChoices):
    """Why a reminder was closed (``Reminder.closed_because``), each label the inbox's words for it ("This reminder was
    closed on 2 September 2025: the review date was changed, and reminders follow the new date")."""

    ACTION_COMPLETED = "action_completed", "the action was recorded as done"
    DRAFT_WITHDRAWN = "draft_withdrawn", "the review draft was withdrawn"
    HANDED_OVER = "handed_over", "it was handed over with the work"
    IMPACT_ASSESSED = "impact_assessed", ("the impact assessment, and all else the emergency approval skipped, was "
                                          "signed off")
    ORPHAN_RESOLVED = "orphan_resolved", "the part it named has a holder who may act, or is chased to someone else"
    POLICY_WITHDRAWN = "policy_withdrawn", "the policy was withdrawn"
    QA_SIGNED_OFF = "qa_signed_off", "your discipline's quality assurance sign-off was recorded"
    REPORT_ASSURED = "report_assured", "the co-ordinator quality-assured the report (passed or returned it)"
    REPORT_SUBMITTED = "report_submitted", "a monitoring report answering the date due was submitted"
    REVIEW_COMPLETED = "review_completed", "the review is done and its next date set"
    REVIEW_DATE_CHANGED = "review_date_changed", "the review date was changed, and reminders follow the new date"
    STEP_TAKEN = "step_taken", "the step it waited for was taken"
    # Closes every reminder of the policy but the withdrawal's own and requests to read (a step's, its review's, its
    # annual report's...), so the words fit them all: "not for this step" was said of review reminders too.
    WITHDRAWAL_DECIDED = "withdrawal_decided", ("the policy's withdrawal was decided: it waits for the Policy "
                                                "Co-ordination Unit to carry it out, and for nothing else")


class Reminder(models.Model):
    """One chase of one person about one thing, on one date. The unique constraint makes delivery exactly
    once however often, or however interrupted, the chase runs."""

    # Issue 16, indexes: every index is written once per reminder by the chase. The exactly-once key leads with
    # the policy, so it serves every lookup by policy, and by policy and person (a handover's preview and its
    # hand-over; nothing looks reminders up by person alone): neither has an index of its own. handed_to is set
    # only on the few reminders handed over (a partial index, in Meta). (tests/notifications/test_ledger_indexes.py)
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="reminders",
                               db_index=False)
    cycle = models.PositiveIntegerField(help_text="The policy's version major number when chased.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders",
                                  db_index=False)
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField(help_text="The date this reminder fell due (its step in the schedule).")
    item_due_on = models.DateField(null=True, blank=True, help_text="When the chased item itself is due.")
    # Which item of its kind it chases, where one policy has several of a kind at once: a remedial action's
    # MonitoringResponse id (two actions for one person due the same day are two items, each chased); a review's date,
    # 20260301 (a review brought forward is chased for another date: notifications.services.rules.review_item). 0 where
    # a kind has one item per policy (its monitoring report ...). Part of the exactly-once key.
    chased_item = models.PositiveBigIntegerField(default=0, db_default=0)
    step = models.CharField(max_length=40, help_text="e.g. 6 months before, on the day, overdue, escalation.")
    message = models.CharField(max_length=400)
    created_at = models.DateTimeField(auto_now_add=True)
    # Issue 12, "open reminders and tasks follow the new holder": a reminder still open (its inbox item unread)
    # when its recipient hands the work over is kept, as evidence of who was chased, and marked superseded; a copy
    # goes to whom it was handed (``handed_to``). An orphan reminder is superseded once the gap is filled (no
    # ``handed_to``). The chase's exactly-once key then already holds the new holder's copy.
    superseded_at = models.DateTimeField(null=True, blank=True)
    handed_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", db_index=False)
    # Why it was closed, written with ``superseded_at`` by whatever closes it (notifications.services.reminders, the
    # chase's orphan reminders); empty while open, and on reminders closed before it was recorded (migration 0013 gave
    # those handed over theirs).
    closed_because = models.CharField(max_length=20, choices=ReminderClosed.choices, blank=True, default="",
                                      db_default="")

    class Meta:
        ordering = ["-due_on", "policy_id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "cycle", "recipient", "kind", "chased_item", "due_on"],
                                    name="reminder_exactly_once"),
        ]
        indexes = [
            models.Index(fields=["handed_to"], condition=models.Q(handed_to__isnull=False),
                         name="reminder_handed_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.message}"


class Digest(models.Model):
    """At most one e-mail a day per person."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="digests")
    digest_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-digest_date"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "digest_date"], name="one_digest_a_day"),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.recipient} on {self.digest_date}"


class Notification(models.Model):
    """An item in a user's in-app list: a lifecycle event that concerns them, or a reminder."""

    # Issue 16, indexes: the chase writes an item per reminder, and every index once per item. The recipient is
    # looked up through notification_inbox_idx (it leads with the recipient), the source event through
    # notification_once_per_event, which holds only the items that have one (a reminder's has none).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
                                  db_index=False)
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="notifications")
    title = models.CharField(max_length=300)
    body = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    source_event = models.ForeignKey("core.OutboxEvent", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="notifications", db_index=False)
    reminder = models.OneToOneField(Reminder, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="notification")
    digest = models.ForeignKey(Digest, on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    # The monitoring report the item tells of, recorded when it is written: an event the relay told of a report
    # (notifications.links.report_named), a remedial action's reminder (the report the action was directed after), a
    # reminder of the report waiting for quality assurance. It is read by that report's own marking
    # (notifications.selectors.about_sensitive_report): one join in the header's count on every page, where it was
    # four subqueries of the outbox, the audit trail and the reports (make bench, issue 16: planning the signed-in
    # person's statement took 0.9 ms a request). The report's marking is read as it is now, never copied: a report is
    # raised to its policy's marking when it is submitted and published. Not indexed: nothing looks items up by
    # report, and a report is never deleted.
    report = models.ForeignKey("assessments.MonitoringReport", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", db_index=False)
    # The marking of the policy the item is about when it was written (OFFICIAL for an item about no policy), recorded
    # by every writer (the relay, the chase's items, the staff asked to read a version), never changed. Its title and
    # body are that moment's: the policy's title then, the reasons recorded with the event
    # (notifications.services.outbox.REASON_SAID). An item written under OFFICIAL-SENSITIVE is withheld from a reader
    # not cleared for its policy's business group now, whatever the policy is marked since: a review that retitles the
    # policy and publishes it OFFICIAL leaves version 1.0's title withheld from them in the inbox as everywhere else
    # (notifications.selectors.withheld_unless_cleared; security review of 2026-12-06). Migration 0020 gave the items
    # written before their marking, erring towards OFFICIAL-SENSITIVE. No database default: a statement that writes
    # items without it fails rather than records OFFICIAL unseen.
    protective_marking = models.CharField(max_length=20, choices=ProtectiveMarking.choices,
                                          default=ProtectiveMarking.OFFICIAL)
    # The policies an item lists besides the one it is about (``policy``): a leaver's handover moves many (issue 12).
    # Each is a link in the inbox and the digest where its reader may open it (notifications.links); at most
    # notifications.services.handover.POLICIES_LISTED an item, those its body names.
    listed_policies = models.ManyToManyField("lifecycle.Policy", blank=True, related_name="+")
    # An item told of an event that asked its reader to act on a draft, closed once that draft is withdrawn: "No longer
    # needed" in the inbox, with why, as a reminder closed is (``Reminder.superseded_at``, ``closed_because``); kept
    # as written. Empty while it stands (notifications.services.inbox.draft_items_close). So is an item that asked the
    # co-ordinator to quality-assure a monitoring report once it is passed or returned (inbox.report_qa_items_close).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_because = models.CharField(max_length=20, choices=ReminderClosed.choices, blank=True, default="",
                                      db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_event", "recipient"],
                                    condition=models.Q(source_event__isnull=False),
                                    name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["recipient"], condition=models.Q(digest__isnull=True),
                         name="notification_undigested_idx"),
        ]

    def __str__(self) -> str:
        return self.title
