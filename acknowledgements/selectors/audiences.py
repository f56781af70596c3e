"""Which audiences ask now, and which confirmation answers one.

An audience asks while its version is the one in force: published, no later version published since, and the
policy not withdrawn. A confirmation of an earlier minor version of the same major counts from the audience's
``counts_from_minor`` on (PCU not asking again for a minor version).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from acknowledgements.models import Acknowledgement, AcknowledgementAudience
from lifecycle.models import PolicyVersion
from lifecycle.states import Status


def in_force() -> Q:
    """The audiences that ask now: of the version in force of a policy in force."""
    published = PolicyVersion.objects.filter(publications__status="published")
    later = published.filter(policy_id=OuterRef("policy_id")).filter(
        Q(major__gt=OuterRef("major")) | Q(major=OuterRef("major"), minor__gt=OuterRef("minor")))
    return (Q(Exists(published.filter(pk=OuterRef("policy_version_id")))) & ~Q(Exists(later))
            & ~Q(policy__status=Status.WITHDRAWN))


def satisfied_by(user_id) -> Exists:
    """A confirmation that counts for the audience: of its version, or (PCU not asking again for a minor version)
    of an earlier version of the same major from ``counts_from_minor`` on."""
    return Exists(Acknowledgement.objects.filter(user_id=user_id, policy_id=OuterRef("policy_id"),
                                                 major=OuterRef("major"), minor__gte=OuterRef("counts_from_minor")))


def audiences_in_force() -> list[AcknowledgementAudience]:
    """Every audience asking now, with its criteria and policy (three queries)."""
    return list(AcknowledgementAudience.objects.filter(in_force()).select_related("policy", "policy_version")
                .defer("policy_version__statement", "policy__purpose")
                .prefetch_related("criteria").order_by("policy__reference"))
