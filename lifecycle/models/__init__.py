from .consultation import ConsultationRecord, ConsulteeType
from .decisions import ApprovalDecision, CommissioningDecision, QAOutcome, QASignOff
from .grants import PolicyGroupObjectPermission, PolicyUserObjectPermission
from .policy import Policy
from .versions import PolicyVersion, SOPVersion, StandardOperatingProcedure

__all__ = [
    "ApprovalDecision",
    "CommissioningDecision",
    "ConsultationRecord",
    "ConsulteeType",
    "Policy",
    "PolicyGroupObjectPermission",
    "PolicyUserObjectPermission",
    "PolicyVersion",
    "QAOutcome",
    "QASignOff",
    "SOPVersion",
    "StandardOperatingProcedure",
]
