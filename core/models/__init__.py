from .audit import AuditChainHead, AuditEvent
from .outbox import OutboxEvent
from .reference import ApprovalRoute, Board, BusinessGroup, ReferenceCounter, RiskTier, Subject, Unit
from .users import FORCE_WIDE_ROLES, Role, RoleAssignment, User

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
    "Subject",
    "Unit",
    "User",
]
