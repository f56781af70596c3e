from .advice import AdviceComment, AdviceInvitation, AdviceTeam
from .consultation import ConsultationRecord, ConsulteeType
from .decisions import (
    ApprovalDecision,
    CommissioningDecision,
    EmergencyRequest,
    LocalAgreement,
    NoChangeReview,
    QAOutcome,
    QASignOff,
    WithdrawalDecision,
)
from .grants import PolicyGroupObjectPermission, PolicyUserObjectPermission
from .policy import Policy
from .revisions import DraftDocument, DraftRevision
from .versions import NOT_WITHDRAWN, HealthAndSafety, PolicyVersion, SOPVersion, StandardOperatingProcedure

__all__ = [
    "NOT_WITHDRAWN",
    "AdviceComment",
    "AdviceInvitation",
    "AdviceTeam",
    "ApprovalDecision",
    "CommissioningDecision",
    "ConsultationRecord",
    "ConsulteeType",
    "DraftDocument",
    "DraftRevision",
    "EmergencyRequest",
    "HealthAndSafety",
    "LocalAgreement",
    "NoChangeReview",
    "Policy",
    "PolicyGroupObjectPermission",
    "PolicyUserObjectPermission",
    "PolicyVersion",
    "QAOutcome",
    "QASignOff",
    "SOPVersion",
    "StandardOperatingProcedure",
    "WithdrawalDecision",
]
