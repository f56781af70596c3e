"""Assessments' services, split by concern (imported as before: ``from assessments.services import eia_update``):

- ``documents``: editing the EIA and Workbook of a draft package, restoring a revision, and DCFD's sign-off of the
  EIA it reopened at a review concluding no change;
- ``retrospective``: after an emergency approval, the late sign-offs of what the route skipped (DCFD's of the EIA,
  PCU's and DOI's of the Workbook), each bound to what its page showed;
- ``monitoring``: the annual monitoring report's own small cycle (written, submitted, quality-assured or returned,
  published);
- ``monitoring_periods``: which period a report may cover, and which report answers the date due (one rule);
- ``monitoring_drafts``: a draft started by mistake, its period corrected or the draft discarded;
- ``responses``: acting on monitoring results (issue 13), the Lead's response and its remedial actions, and reading
  reports for a review.

Imports run one way: ``responses`` and ``monitoring_drafts`` use ``monitoring``, which uses ``monitoring_periods`` and
``documents``; ``documents`` uses ``retrospective`` (what a late sign-off has frozen), which uses nothing of them."""

from assessments.services.documents import (
    EMERGENCY_WORKBOOK_SECTIONS,
    MAX_SECTION_LENGTH,
    document_editable,
    eia_restore,
    eia_sign_off_update,
    eia_update,
    workbook_restore,
    workbook_update,
)
from assessments.services.monitoring import (
    REPORT_FIELDS,
    draft_closed,
    monitoring_report_create,
    monitoring_report_pass_qa,
    monitoring_report_publish,
    monitoring_report_return,
    monitoring_report_submit,
    monitoring_report_update,
    next_monitoring_due,
    report_halted,
)
from assessments.services.monitoring_drafts import (
    monitoring_report_correct_period,
    monitoring_report_discard,
)
from assessments.services.responses import (
    REMEDIAL_ACTION_MAX_DAYS,
    may_read_for_review,
    monitoring_remedial_action_complete,
    monitoring_report_read_for_review,
    monitoring_report_respond,
    remedial_already_done,
)
from assessments.services.retrospective import (
    RETROSPECTIVE_DISCIPLINES,
    eia_complete_retrospective,
    retrospective_eia_incomplete,
    retrospective_eia_refusal,
    retrospective_qa_incomplete,
    retrospective_qa_refusal,
    retrospective_qa_signoff,
    signed_off_said,
    workbook_sections_signed_off,
)

__all__ = [
    "EMERGENCY_WORKBOOK_SECTIONS", "MAX_SECTION_LENGTH", "REMEDIAL_ACTION_MAX_DAYS", "REPORT_FIELDS",
    "RETROSPECTIVE_DISCIPLINES", "document_editable", "draft_closed", "eia_complete_retrospective", "eia_restore",
    "eia_sign_off_update", "eia_update", "may_read_for_review", "monitoring_remedial_action_complete",
    "monitoring_report_correct_period", "monitoring_report_create", "monitoring_report_discard",
    "monitoring_report_pass_qa", "monitoring_report_publish",
    "monitoring_report_read_for_review", "monitoring_report_respond", "monitoring_report_return",
    "monitoring_report_submit", "monitoring_report_update", "next_monitoring_due", "remedial_already_done",
    "report_halted",
    "retrospective_eia_incomplete", "retrospective_eia_refusal", "retrospective_qa_incomplete",
    "retrospective_qa_refusal", "retrospective_qa_signoff", "signed_off_said", "workbook_sections_signed_off",
    "workbook_restore", "workbook_update",
]
