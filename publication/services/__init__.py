"""Publication's state changes, split by concern:

- ``publishing``: publishing an approved version now or scheduling it for a date, re-publishing the version in
  force after a review that concluded no change, and a local work instruction published on its approval;
- ``scheduling``: what was scheduled: cancelling it, bringing it forward, the daily job that publishes what has
  come due, and cancellation when the policy is withdrawn;
- ``stored_files``: each audience's PDF pack rendered once and stored with its SHA-256 (issue 14), rendered again
  when what it prints changes, and checked whenever it is read;
- ``file_failures``: files that could not be stored after the task's last attempt, recorded and told to PCU, who
  stores them again from the Publication page; beat's safety net for files whose task was lost;
- ``draft_pdfs``: the PDF pack of a version not published, prepared by the worker, once for what it prints, and
  kept while that stands;
- ``redactions``: the parts of a SOP withheld from its public copy (the Publication Scheme's), with the FOI
  exemption.

SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy" and "Provide the 'gateway'
function for the internal and external publication of policy, SOPs, impact assessments and monitoring
reports". OFFICIAL-SENSITIVE material never goes on the public Publication Scheme.

Callers import from here (``from publication.services import policy_publish``); the modules import one another
in the order ``stored_files`` <- ``publishing`` <- ``scheduling``, and ``stored_files`` <- ``file_failures``.
"""

from publication.services.draft_pdfs import (
    DRAFT_PDF_RETRY_SECONDS,
    PREPARE_DRAFT_PDF_TASK,
    draft_pdf_prepare,
    draft_pdf_read,
    draft_pdf_request,
    draft_pdfs_delete_old,
)
from publication.services.file_failures import (
    failure_in_words,
    policy_files_not_stored,
    publication_files_not_stored,
    publication_store_files_again,
    publication_store_missing_files,
)
from publication.services.publishing import (
    MAX_YEARS_AHEAD,
    latest_publication_date,
    policy_approve_local,
    policy_publish,
    policy_republish_no_change,
)
from publication.services.redactions import sop_redaction_record, sop_redaction_remove
from publication.services.scheduling import (
    MAX_REASON_LENGTH,
    publication_bring_forward,
    publication_cancel,
    publication_publish_due,
    scheduled_publications_cancel,
    scheduled_publications_cancel_on_decision,
)
from publication.services.stored_files import (
    RETROSPECTIVE_EIA_REASON,
    STORE_CURRENT_FILES_TASK,
    STORE_FILES_TASK,
    StoredFileRefused,
    policy_store_current_files,
    publication_files_request,
    publication_store_current_files,
    publication_store_files,
    published_file_intact,
    published_file_read,
    scheme_files_follow_the_audit_trail,
    stored_files_follow_the_audit_trail,
)

__all__ = [
    "DRAFT_PDF_RETRY_SECONDS",
    "PREPARE_DRAFT_PDF_TASK",
    "draft_pdf_prepare",
    "draft_pdf_read",
    "draft_pdf_request",
    "draft_pdfs_delete_old",
    "MAX_REASON_LENGTH",
    "MAX_YEARS_AHEAD",
    "RETROSPECTIVE_EIA_REASON",
    "STORE_CURRENT_FILES_TASK",
    "STORE_FILES_TASK",
    "StoredFileRefused",
    "failure_in_words",
    "latest_publication_date",
    "policy_approve_local",
    "policy_publish",
    "policy_files_not_stored",
    "policy_republish_no_change",
    "policy_store_current_files",
    "publication_bring_forward",
    "publication_cancel",
    "publication_publish_due",
    "publication_files_not_stored",
    "publication_files_request",
    "publication_store_current_files",
    "publication_store_files",
    "publication_store_files_again",
    "publication_store_missing_files",
    "published_file_intact",
    "published_file_read",
    "scheduled_publications_cancel",
    "scheduled_publications_cancel_on_decision",
    "scheme_files_follow_the_audit_trail",
    "sop_redaction_record",
    "sop_redaction_remove",
    "stored_files_follow_the_audit_trail",
]
