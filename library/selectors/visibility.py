"""Which library documents a reader may see, and the page's filters narrowing them.

Visibility (lifecycle.selectors, one rule): the library holds only published documents, which every member of staff
may read, OFFICIAL-SENSITIVE ones aside: those only for staff cleared for the policy's business group
(``cleared_business_groups``, as ``user_may_see_sensitive``). Anonymous visitors get nothing (the views ask for a
sign-in; here, an empty queryset).

``library_documents`` holds what the reader may see within a ``Scope`` (in force, with earlier versions, the
archive); ``narrowed`` applies the page's filters (business group, subject, who a document is relevant to).
"""

from __future__ import annotations

from django.db.models import Exists, Q, QuerySet

from core.models import RoleAssignment, Unit
from library.models import LibraryDocument
from lifecycle.selectors import cleared_business_groups
from lifecycle.states import ProtectiveMarking


class Scope:
    CURRENT = "current"
    SUPERSEDED = "superseded"
    ARCHIVE = "archive"
    CHOICES = [(CURRENT, "Documents in force"), (SUPERSEDED, "Documents in force and earlier versions"),
               (ARCHIVE, "The archive of withdrawn policies")]


def library_visibility(user) -> Q:
    """The Q a library document must match to be shown to ``user``: OFFICIAL-SENSITIVE ones only to staff cleared for
    their business group, and a local work instruction's only to its business group's staff (those working in one of
    its units, or holding a role in it; issue 13). A force-wide role sees everything.

    With the user's roles not loaded yet, the clearance is asked in the same statement (a hashed subquery and an init
    plan, each run once), not by a query of its own: a search is then one statement, as the bare ranked query it is
    measured against."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    official = Q(protective_marking=ProtectiveMarking.OFFICIAL)
    if getattr(user, "_policyhub_roles", None) is None:
        roles = RoleAssignment.objects.filter(user_id=user.pk)
        cleared_here = Q(business_group_id__in=roles.values("business_group_id"))
        return Q(Exists(roles.filter(business_group_id__isnull=True))) | (
            (official | cleared_here) & (Q(local_to_group=False) | cleared_here | _unit_group(user)))
    cleared = cleared_business_groups(user)
    if cleared is None:
        return Q()
    cleared_here = Q(business_group_id__in=cleared)
    return (official | cleared_here) & (Q(local_to_group=False) | cleared_here | _unit_group(user))


def _unit_group(user) -> Q:
    """Documents of the business group the user works in (their unit's), whatever their roles."""
    if user.unit_id is None:
        return Q(pk__in=[])
    return Q(business_group_id__in=Unit.objects.filter(pk=user.unit_id).values("business_group_id"))


def library_documents(*, user, scope: str = Scope.CURRENT) -> QuerySet[LibraryDocument]:
    documents = LibraryDocument.objects.filter(library_visibility(user))
    if scope == Scope.ARCHIVE:
        return documents.filter(is_withdrawn=True)
    if scope == Scope.SUPERSEDED:
        return documents.filter(is_withdrawn=False)
    return documents.filter(is_current=True)


def narrowed(documents: QuerySet, *, business_group=None, subject=None, relevant_to: str = "") -> QuerySet:
    if business_group is not None:
        documents = documents.filter(business_group_id=business_group.pk)
    if subject is not None:
        documents = documents.filter(policy__subject_id=subject.pk)
    if relevant_to:
        # Who the document was published as relevant to (its own column, as its result shows): the policy's own is a
        # review's draft, which staff without a part in it may not read (security probe F5).
        documents = documents.filter(relevant_to__icontains=relevant_to)
    return documents
