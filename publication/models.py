"""Publication of an approved version.

SOP, stage 5: "If approval for publication is given, final versions of the above documents are to be
sent to the Policy Co-ordination Unit to arrange publication: on the Corporate Policy Intranet; in
Notices; on the MPS Publication Scheme. If publication is to coincide with a wider implementation plan
the Policy Co-ordination Unit should be advised."
"""

from django.conf import settings
from django.db import models


class Publication(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="publications")
    policy_version = models.ForeignKey(
        "lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="publications"
    )
    on_intranet = models.BooleanField(default=True, verbose_name="Corporate Policy Intranet")
    in_notices = models.BooleanField(default=True, verbose_name="Notices")
    on_publication_scheme = models.BooleanField(default=False, verbose_name="MPS Publication Scheme")
    scheduled_for = models.DateField(null=True, blank=True, help_text="Empty to publish at once.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A publication stays a record that the version *was* published; once a newer version is published it is
    # no longer current on any channel (the newer one replaces it there, or it is taken down).
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Issue 13: a review that concluded no change re-publishes the version in force. The same version may then be
    # published more than once: 0 for its first publication, 1, 2 ... for each re-publication after a review.
    republication = models.PositiveSmallIntegerField(default=0, editable=False)
    no_change_review = models.OneToOneField(
        "lifecycle.NoChangeReview", on_delete=models.PROTECT, null=True, blank=True, related_name="publication",
    )

    class Meta:
        ordering = ["-requested_at"]
        # The publications PCU scheduled, few at any size: a policy waiting on its date is not stuck
        # (lifecycle.deadlines.publication_scheduled), asked by each of the dashboard's stuck figures, which read the
        # whole table each time without it (make bench at 100,000 policies: 25 ms a figure, eight of them).
        indexes = [models.Index(fields=["policy"], condition=models.Q(status="scheduled"),
                                name="publication_scheduled_idx"),
                   # The Notices page and the staff's feed (publication.notices.staff_notices): what was published in
                   # Notices, newest first, 50 a page, read backwards in this index's order and stopped at the page
                   # (make bench, 100,000 policies: 60-146 ms, every one of the 76,000 sorted, spilling to disk;
                   # now 51 rows read).
                   models.Index(fields=["published_at", "id"], condition=models.Q(in_notices=True, status="published"),
                                name="publication_notices_idx"),
                   # The publications on the Publication Scheme now (publication.scheme_index._scheme_policy_set): the
                   # Scheme's index asks for one per policy, and counts its policies by merging this with
                   # lifecycle's policy_on_scheme_idx (make bench, 100,000 policies: a hash of all 62,000 of them
                   # built for every count and for every business group of the filters; now index-only scans).
                   models.Index(fields=["policy"], condition=models.Q(status="published", on_publication_scheme=True,
                                                                      superseded_at__isnull=True),
                                name="publication_on_scheme_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["policy_version", "republication"], condition=models.Q(status__in=["scheduled", "published"]),
                name="one_live_publication_per_version",
            ),
            models.CheckConstraint(
                condition=models.Q(republication=0, no_change_review__isnull=True)
                | (models.Q(no_change_review__isnull=False) & models.Q(republication__gt=0)),
                name="republication_follows_a_no_change_review",
            ),
            models.CheckConstraint(
                condition=models.Q(on_intranet=True) | models.Q(in_notices=True)
                | models.Q(on_publication_scheme=True),
                name="publication_has_a_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(superseded_by__isnull=True, superseded_at__isnull=True)
                | models.Q(superseded_by__isnull=False, superseded_at__isnull=False, status="published"),
                name="publication_superseded_only_when_published",
            ),
        ]

    def __str__(self) -> str:
        return f"Publication of {self.policy_version}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.superseded_at is None

    @property
    def channels(self) -> list[str]:
        names = []
        if self.on_intranet:
            names.append("Corporate Policy Intranet")
        if self.in_notices:
            names.append("Notices")
        if self.on_publication_scheme:
            names.append("MPS Publication Scheme")
        return names


class PublishedFile(models.Model):
    """A file rendered once, when its publication went live, and stored (Django storage, under MEDIA_ROOT): the
    PDF pack a reader downloads. Its SHA-256 is the publication's record of what was published; every download
    is checked against it and a file that no longer matches is refused, not served (issue 14). Append-only: on
    PostgreSQL a trigger refuses UPDATE and DELETE."""

    class Audience(models.TextChoices):
        # The public copy (Publication Scheme): the statement, the OFFICIAL SOPs flagged for external
        # publication, with any withheld parts shown redacted, and the EIA.
        PUBLIC = "public", "Public (Publication Scheme)"
        # Every member of staff: the statement, the OFFICIAL SOPs and the EIA.
        STAFF = "staff", "Staff"
        # Staff cleared for the policy's OFFICIAL-SENSITIVE material: everything.
        CLEARED = "cleared", "Staff cleared for OFFICIAL-SENSITIVE"

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="files")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # The highest protective marking the file carries, as printed on every page.
    marking = models.CharField(max_length=40)
    rendered_at = models.DateTimeField(auto_now_add=True)
    # 1 for the files rendered when the publication went live; 2, 3 ... each time what a file prints changed after
    # it (the retrospective EIA signed off: SOP, stage 3, "completed as soon as reasonably practicable", and "the
    # completed EIAs for each policy will be published on the MPS Publication Scheme"). A reader gets the newest;
    # the earlier ones are kept, as the record of what was published until then.
    rendition = models.PositiveSmallIntegerField(default=1)
    # Why this rendition was made (empty for the first).
    reason = models.CharField(max_length=300, blank=True)
    # The SHA-256 of the HTML the file was rendered from: what it prints. The files are rendered again only when
    # that changes (so the task is safe to run twice). Empty for files stored before it was recorded.
    source_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["publication", "audience", "rendition"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "audience", "rendition"],
                                    name="one_file_per_publication_audience_rendition"),
            models.CheckConstraint(condition=models.Q(rendition__gte=1), name="published_file_rendition_from_one"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="published_file_sha256_is_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.publication} ({self.get_audience_display()})"

    @property
    def etag(self) -> str:
        """A strong ETag derived from the SHA-256: the bytes never change, so neither does the tag."""
        return f'"sha256-{self.sha256}"'


class FOIExemption(models.TextChoices):
    """Freedom of Information Act 2000, Part II: the exemptions a withheld part of a published SOP cites."""

    S23 = "s23", "Section 23: information supplied by, or relating to, bodies dealing with security matters"
    S24 = "s24", "Section 24: national security"
    S30 = "s30", "Section 30: investigations and proceedings"
    S31 = "s31", "Section 31: law enforcement"
    S38 = "s38", "Section 38: health and safety"
    S40 = "s40", "Section 40: personal information"
    S43 = "s43", "Section 43: commercial interests"


class SOPRedaction(models.Model):
    """A part of a SOP withheld from its public copy (SOP: "SOPs that are not on the MPS Publication Scheme may be
    requested under the Freedom of Information Act"). The part is a top-level block of the frozen SOP text
    (a paragraph, list, table or heading), numbered from 1; the public copy shows it redacted, with the exemption.
    Recorded by PCU before publication; once the version is published the public file is fixed, and the service
    refuses any change."""

    sop_version = models.ForeignKey("lifecycle.SOPVersion", on_delete=models.PROTECT, related_name="redactions")
    block = models.PositiveIntegerField(help_text="The part withheld: its number in the SOP text, from 1.")
    exemption = models.CharField(max_length=4, choices=FOIExemption.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sop_version", "block"]
        constraints = [
            models.UniqueConstraint(fields=["sop_version", "block"], name="one_redaction_per_block"),
            models.CheckConstraint(condition=models.Q(block__gte=1), name="redaction_block_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.sop_version}: part {self.block} withheld ({self.exemption})"


class DraftPdf(models.Model):
    """The PDF pack of a version not published (a draft, or one submitted and not yet published), prepared by the
    worker (publication.services.draft_pdfs) and kept while what it prints stands: rendering in the request held a web
    worker for about a minute for a large draft (integrity review of 2026-12-06; STYLE rule 19, bounded work per
    request). One file per version and ``print_key``: the version's content fingerprint (``read_hash``), whether it
    is the copy with the OFFICIAL-SENSITIVE SOPs (``cleared``) and the policy's printed details outside that hash.
    A cache, not evidence: deleted once superseded or a day old, and prepared again when asked for."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.CASCADE, related_name="+")
    read_hash = models.CharField(max_length=64)
    cleared = models.BooleanField(help_text="The copy with the OFFICIAL-SENSITIVE SOPs, for those cleared for them.")
    print_key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    storage_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # When it was last queued (a render whose task was lost is queued again after a while) and when it ended.
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A second request while it renders finds this row and starts no second render.
            models.UniqueConstraint(fields=["policy_version", "print_key"], name="draft_pdf_one_per_print"),
        ]
        indexes = [models.Index(fields=["requested_at"], name="draft_pdf_age_idx")]

    def __str__(self) -> str:
        return f"PDF of version {self.policy_version_id} ({self.status})"
