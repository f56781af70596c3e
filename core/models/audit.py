"""The audit trail: append-only, MAC-chained evidence of every state change.

SOP, "Role of Policy Managers/Unit Heads": "Ensure that audit trails of policy and procedural changes
are maintained for continuity purposes and to assist in court cases and disciplinary and misconduct
investigations." Rows are never updated or deleted: on PostgreSQL a trigger refuses UPDATE and DELETE
(see migration 0002), and the app's database role may neither switch the trigger off nor TRUNCATE
(``manage.py db_roles``).

Each event is chained to the one before with HMAC-SHA256 under a key that lives in the app's secret settings,
never in the database (``POLICYHUB_AUDIT_KEY``), so someone holding only the database cannot recompute the
chain after editing it. The chain head is also written, from time to time and at each publication, to an
append-only file outside the database (``POLICYHUB_AUDIT_ANCHOR_PATH``); ``manage.py verify_audit`` proves the
chain is unbroken and agrees with every anchor.
"""

from django.conf import settings
from django.db import models

from core.events import AuditAction

# Events written before the chain was keyed (migration 0005) carry a plain SHA-256 and this algorithm. They stay
# verifiable as they were (re-chaining them under the key would launder whatever had been done to them before),
# and they are sealed: the first keyed event MACs the last of them as its previous_hash, and the keyed chain head
# records how many there are (``legacy_until``), so an unkeyed event after that point is a break.
ALGORITHM_LEGACY_SHA256 = "sha256"
ALGORITHM_HMAC_SHA256 = "hmac-sha256"

# The events a policy's history is replayed from (oversight.histories, for the Corporate Health Indicators): those
# that say what changed of its status, business group or due dates, and the monitoring reports' submissions. Declared
# once, for the indicators' statements and for the partial index that holds only these rows, in policy order.
POLICY_HISTORY_KEYS = ("status", "business_group", "review_due_on", "monitoring_report_due_on")
POLICY_HISTORY_EVENTS = (models.Q(changes__has_any_keys=list(POLICY_HISTORY_KEYS))
                         | models.Q(action=AuditAction.MONITORING_REPORT_SUBMITTED.value))

# A policy's public milestones: what its timeline shows staff with no part in its drafting (lifecycle.selectors.events,
# ``timeline_events``): its publications, a review concluding no change, a review brought forward, its withdrawal, a
# retrospective impact assessment, its monitoring reports published and a local work instruction approved. Declared
# here, once, for that filter and for the partial index that holds only these rows in each policy's timeline order:
# read through the policy's whole index and the trail's index of actions ANDed (108,429 publications among 1,000,000
# events), each of that page's two statements took 3-4 ms (make bench, the developer's timeline).
PUBLIC_MILESTONE_ACTIONS = (
    AuditAction.POLICY_PUBLISHED.value, AuditAction.POLICY_REVIEW_CONCLUDED_NO_CHANGE.value,
    AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD.value, AuditAction.POLICY_WITHDRAWN.value,
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY.value, AuditAction.MONITORING_REPORT_PUBLISHED.value,
    AuditAction.LOCAL_INSTRUCTION_APPROVED.value,
)


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (scheduled jobs).",
    )
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    action = models.CharField(max_length=80, db_index=True, editable=False)
    object_type = models.CharField(max_length=80, editable=False)
    object_id = models.CharField(max_length=64, editable=False)
    object_repr = models.CharField(max_length=300, editable=False)
    # The policy this event belongs to, so a policy's timeline is one indexed query.
    policy_id = models.BigIntegerField(null=True, blank=True, editable=False)
    changes = models.JSONField(default=dict, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    # HMAC-SHA256 (hex) of the event's canonical content under the key named by key_id; SHA-256 for legacy rows.
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # A row inserted behind the app's back without naming an algorithm is taken as unkeyed, and so as a break
    # once the chain is keyed.
    mac_algorithm = models.CharField(max_length=16, editable=False, db_default=ALGORITHM_LEGACY_SHA256)
    # Which key signed it (a fingerprint, never the key), so keys can be rotated and old events still verify.
    key_id = models.CharField(max_length=16, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # A policy's timeline, newest first, without walking the whole chain (make bench: a 9-year-old
            # history's page 99 ms -> 9 ms).
            models.Index(fields=["policy_id", "-sequence"], name="audit_policy_timeline_idx"),
            # Each policy's history, in order, and nothing else (oversight.histories): the indicators read these
            # rows, and ask which policies have any, without testing the JSON of every event of the trail
            # (make bench: a sequential scan of 1,000,000 events, 260-540 ms, for none of them).
            models.Index(fields=["policy_id", "sequence"], condition=POLICY_HISTORY_EVENTS,
                         name="audit_policy_history_idx"),
            # A policy's public milestones, newest first (PUBLIC_MILESTONE_ACTIONS).
            models.Index(fields=["policy_id", "-sequence"],
                         condition=models.Q(action__in=list(PUBLIC_MILESTONE_ACTIONS)),
                         name="audit_policy_milestones_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """One row: the last sequence and hash. Locked to append, so the chain is strictly ordered, and
    compared by verify_audit so that deleting the newest events is detected too. Its own MAC (under the audit
    key) covers the sequence, the hash and ``legacy_until``, so the head cannot be wound back or the legacy
    boundary moved by someone without the key."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # Events 1..legacy_until were written before the chain was keyed (plain SHA-256).
    legacy_until = models.PositiveBigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head #{self.last_sequence}"
