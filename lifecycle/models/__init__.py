from .consultation import ConsultationRecord, ConsulteeType
from .decisions import ApprovalDecision, CommissioningDecision, QAOutcome, QASignOff
from .policy import Policy
from .versions import PolicyVersion, SOPVersion, StandardOperatingProcedure

__all__ = [
    "ApprovalDecision",
    "CommissioningDecision",
    "ConsultationRecord",
    "ConsulteeType",
    "Policy",
    "PolicyVersion",
    "QAOutcome",
    "QASignOff",
    "SOPVersion",
    "StandardOperatingProcedure",
]
