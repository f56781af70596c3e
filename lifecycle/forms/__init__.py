"""The lifecycle's forms, split by concern (imported as before: ``from lifecycle import forms``, ``forms.PublishForm``):
``steps`` (the step pages' forms), ``publishing`` (the publication steps' forms), ``drafting`` (a policy, its
details, statement, SOPs and consultation log), ``advice`` (advice on a draft)."""

from lifecycle.forms.advice import (
    AdviceCommentForm,
    AdviceInviteForm,
    AdviceTakeBackForm,
    AdviceWithdrawForm,
)
from lifecycle.forms.drafting import (
    ConsultationForm,
    ConsultationResponseForm,
    PolicyCreateForm,
    PolicyDetailsForm,
    SOPEditForm,
    SOPForm,
    SOPRemoveForm,
    StatementForm,
)
from lifecycle.forms.publishing import PublishForm, RepublishForm
from lifecycle.forms.steps import (
    LONG_TEXT,
    ApprovalDecisionForm,
    CommentsForm,
    EIAConfirmationForm,
    EmergencyAnswerForm,
    EmergencyApprovalForm,
    MonitoringResponseForm,
    NoFieldsForm,
    QADecisionForm,
    ReasonForm,
    ReasonsForm,
    ReviewDateForm,
    ReviewDraftWithdrawalForm,
    StepForm,
    WithdrawalDecisionForm,
)

__all__ = [
    "AdviceCommentForm",
    "AdviceInviteForm",
    "AdviceTakeBackForm",
    "AdviceWithdrawForm",
    "ApprovalDecisionForm",
    "CommentsForm",
    "ConsultationForm",
    "ConsultationResponseForm",
    "EIAConfirmationForm",
    "EmergencyAnswerForm",
    "EmergencyApprovalForm",
    "LONG_TEXT",
    "MonitoringResponseForm",
    "NoFieldsForm",
    "PolicyCreateForm",
    "PolicyDetailsForm",
    "PublishForm",
    "QADecisionForm",
    "ReasonForm",
    "ReviewDraftWithdrawalForm",
    "ReasonsForm",
    "RepublishForm",
    "ReviewDateForm",
    "SOPEditForm",
    "SOPForm",
    "SOPRemoveForm",
    "StatementForm",
    "StepForm",
    "WithdrawalDecisionForm",
]
