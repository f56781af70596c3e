from .audit import AuditChainHead, AuditEvent
from .exports import SpreadsheetExport
from .outbox import OutboxEvent
from .reference import ApprovalRoute, Board, BusinessGroup, ReferenceCounter, RiskTier, Subject, Unit
from .submissions import SubmittedForm
from .users import FORCE_WIDE_ROLES, Role, RoleAssignment, RolesHeld, User

__all__ = [
    "FORCE_WIDE_ROLES",
    "OutboxEvent",
    "ApprovalRoute",
    "AuditChainHead",
    "AuditEvent",
    "Board",
    "BusinessGroup",
    "ReferenceCounter",
    "RiskTier",
    "Role",
    "RoleAssignment",
    "RolesHeld",
    "SpreadsheetExport",
    "Subject",
    "SubmittedForm",
    "Unit",
    "User",
]
