"""The Corporate Policy Intranet library (issue 14): every published document, indexed for search.

SOP, stage 5: PCU publishes "on the Corporate Policy Intranet"; the procedure opens with staff being aware of the
policies relevant to them. The library holds, for each version published on the intranet, its Policy Statement,
its SOPs and its EIA, and each published monitoring report: one ``LibraryDocument`` row per document, with the
plain text and (on PostgreSQL) a stored ``tsvector`` kept up to date by a trigger and searched through a GIN
index (migration 0002). The rows are derived data, rebuilt per policy by ``library.services.library_index_policy``
whenever an audited change alters what the policy publishes; the evidence stays in lifecycle and assessments.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse

from lifecycle.states import ProtectiveMarking


class DocumentKind(models.TextChoices):
    STATEMENT = "statement", "Policy Statement"
    SOP = "sop", "Standard operating procedure"
    EIA = "eia", "Equality Impact Assessment"
    MONITORING_REPORT = "monitoring_report", "Monitoring report"


class LibraryDocument(models.Model):
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.CASCADE, related_name="library_documents")
    # Empty for a monitoring report (it reports on the policy, not on one version).
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.CASCADE, null=True,
                                       related_name="library_documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    sop = models.ForeignKey("lifecycle.StandardOperatingProcedure", on_delete=models.CASCADE, null=True,
                            related_name="+")
    monitoring_report = models.ForeignKey("assessments.MonitoringReport", on_delete=models.CASCADE, null=True,
                                          related_name="+")
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    # What a result shows of its policy, as that version was published (issue 12: a review's draft may be retitling
    # the policy meanwhile, and its new words are not published): kept on the row, so a search page reads one table.
    policy_title = models.CharField(max_length=300, blank=True)
    relevant_to = models.TextField(blank=True)
    # "2.1"; empty for a monitoring report (it reports on the policy, not on one version).
    version_number = models.CharField(max_length=12, blank=True)
    body = models.TextField(help_text="Plain text, for search and extracts.")
    # The document's own marking: an OFFICIAL-SENSITIVE SOP of an OFFICIAL policy is OFFICIAL-SENSITIVE.
    protective_marking = models.CharField(max_length=20, choices=ProtectiveMarking.choices)
    business_group = models.ForeignKey("core.BusinessGroup", on_delete=models.CASCADE, related_name="+")
    # A local work instruction's document (issue 13): "instructions written for a single unit or location ... as
    # opposed to the wider organisation" (SOP), seen in the library by its business group only.
    local_to_group = models.BooleanField(default=False, db_default=False)
    # Current: of the version in force of a policy in force. Superseded: of an earlier published version (still
    # readable, marked as such). Withdrawn: of a withdrawn policy (the archive).
    is_current = models.BooleanField()
    is_withdrawn = models.BooleanField()
    # The day the version was last published: a re-publication after a review concluding no change is one (SOP stage
    # 5, "reviewed and published at least once every 3 years"), the day the next review counts from, as the register
    # and the Publication Scheme date the version in force (QA walk 2026-12-05, 51). ``first_published_on``: the day it
    # was first published, kept only when it was re-published since.
    published_on = models.DateField(null=True)
    first_published_on = models.DateField(null=True, blank=True)
    # PostgreSQL only: set by the trigger of migration 0002 from the title, reference and body; NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["policy_id", "kind", "pk"]
        indexes = [
            models.Index(fields=["policy", "policy_version"], name="library_doc_policy_idx"),
            # The library's landing page (library.selectors.library_browse): the Policy Statements in force, by
            # title, 20 a page, read in this index's order and stopped at the page, not every statement sorted
            # (make bench, 100,000 policies: 160-345 ms for every role, a sequential scan of all 166,000 documents
            # and a sort of the 75,000 statements in force; now 20 rows read for the page).
            models.Index(fields=["title", "id"], condition=models.Q(is_current=True, kind=DocumentKind.STATEMENT),
                         name="library_statement_title_idx"),
            # The archive's landing page: the statements of withdrawn policies, few at any size, by title (make bench:
            # 90 ms, the same sequential scan for 4,000 of them).
            models.Index(fields=["title", "id"], condition=models.Q(is_withdrawn=True, kind=DocumentKind.STATEMENT),
                         name="library_withdrawn_title_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def url(self) -> str:
        return document_url(self)

    @property
    def anchor(self) -> str:
        return document_anchor(self)


def document_url(document, *, policy_url: Callable[[str], str] | None = None,
                 version_url: Callable[[str, str], str] | None = None) -> str:
    """Where ``document`` (a LibraryDocument, or a row of the same fields: library.selectors.LibraryResult) is on its
    policy's library page: the version in force's, or an earlier version's (superseded, or of a withdrawn policy).
    ``policy_url`` and ``version_url`` make the pages' URLs from their arguments (reverse() of library:policy and
    library:version when not given; a list of results passes them resolved once: core.templatetags.cached_urls)."""
    if document.is_current or document.policy_version_id is None:
        base = policy_url(document.reference) if policy_url else reverse("library:policy", args=[document.reference])
    elif version_url:
        base = version_url(document.reference, document.version_number)
    else:
        base = reverse("library:version", args=[document.reference, document.version_number])
    return f"{base}#{document_anchor(document)}"


def document_anchor(document) -> str:
    """The id of the document's heading on the policy's library page."""
    if document.kind == DocumentKind.SOP:
        return f"sop-{document.sop_id}"
    if document.kind == DocumentKind.MONITORING_REPORT:
        return f"report-{document.monitoring_report_id}"
    return document.kind
