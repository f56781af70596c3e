"""Notices: the staff's and the public's list of what was published and withdrawn, newest first (the Notices page and
both Atom feeds). OFFICIAL-SENSITIVE policies reach only the staff cleared for them; the public list is what the
Publication Scheme carries."""

import dataclasses
import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.models import Policy
from lifecycle.permissions import role_index
from lifecycle.selectors import frozen_marking_readable, local_instructions_seen, visible_policy_ids
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication
from publication.selectors import scheme_publications

NOTICES_PER_PAGE = 50


@dataclass(frozen=True)
class Notice:
    """One line of the bulletin: a policy published, revised (a new version of one in force) or withdrawn."""

    key: str
    kind: str  # "published", "revised" or "withdrawn"
    at: datetime.datetime
    policy: Policy
    version_number: str = ""
    summary: str = ""
    # For the public feed: whether the policy is on the Scheme now (its entry can be linked to).
    on_scheme_now: bool = False
    # The title the published version was frozen with (issue 12: a review may be retitling the draft meanwhile).
    title: str = ""
    # For the staff's list and feed: whether its reader may open the policy now (a policy withdrawn since leaves the
    # sight of staff and developers: a link to it answered 404).
    readable: bool = True

    @property
    def heading(self) -> str:
        verb = {"published": "Published", "revised": "Revised", "withdrawn": "Withdrawn"}[self.kind]
        version = f", version {self.version_number}" if self.version_number else ""
        return f"{verb}: {self.title or self.policy.title} ({self.policy.reference}{version})"


def _notice_from_publication(publication: Publication, *, on_scheme_now: bool = False) -> Notice:
    version = publication.policy_version
    revised = version.revises_published or version.major > 1
    details = version.details or {}
    summary = (version.summary_of_changes if revised and version.summary_of_changes
               else details.get("purpose") or publication.policy.purpose)
    return Notice(key=f"publication-{publication.pk}", kind="revised" if revised else "published",
                  at=publication.published_at, policy=publication.policy, version_number=version.number,
                  summary=summary, on_scheme_now=on_scheme_now, title=details.get("title", ""))


def _sensitive_clearance(user) -> Q | None:
    """The policies whose marking the user may see, as a Q on Policy; None for everything (a force-wide role)."""
    groups = {group for _, group in role_index(user)}
    if None in groups:
        return None
    return Q(protective_marking=ProtectiveMarking.OFFICIAL) | Q(business_group_id__in=groups)


def _merge_notices(publications: list[Publication], withdrawn: list[Policy], reasons: dict[int, str], *,
                   public: bool, on_scheme_ids: set[int] = frozenset(), limit: int) -> list[Notice]:
    notices = [_notice_from_publication(publication, on_scheme_now=publication.policy_id in on_scheme_ids)
               for publication in publications]
    notices += [Notice(key=f"withdrawal-{policy.pk}", kind="withdrawn", at=policy.status_changed_at, policy=policy,
                       summary=reasons.get(policy.pk, "") if not public else "Withdrawn: no longer in force.")
                for policy in withdrawn]
    notices.sort(key=lambda notice: (notice.at, notice.key), reverse=True)
    return notices[:limit]


def _withdrawal_reasons(policy_ids: list[int]) -> dict[int, str]:
    reasons = {}
    events = (AuditEvent.objects.filter(policy_id__in=policy_ids, action=AuditAction.POLICY_WITHDRAWN)
              .order_by("policy_id", "-sequence").values_list("policy_id", "changes"))
    for policy_id, changes in events:
        reasons.setdefault(policy_id, (changes or {}).get("reason", ""))
    return reasons


def staff_notices(*, user, before: datetime.datetime | None = None, limit: int = NOTICES_PER_PAGE) -> list[Notice]:
    """The bulletin for a member of staff, newest first: what was published in Notices, and the withdrawal of
    what had been published, OFFICIAL-SENSITIVE policies only for those cleared for them and local work instructions
    only for their business group's staff. At most ``limit``
    notices before ``before``, in four queries whatever the number of policies (the fourth: which of their
    policies the reader may open now, so that a notice links only where its reader may go)."""
    clearance = _sensitive_clearance(user)
    publications = Publication.objects.filter(status=Publication.Status.PUBLISHED, in_notices=True)
    withdrawn = Policy.objects.filter(status=Status.WITHDRAWN, first_published_on__isnull=False,
                                      status_changed_at__isnull=False)
    if clearance is not None:
        # A version published OFFICIAL-SENSITIVE stays so once a review's OFFICIAL version replaces it: its notice
        # (its title and purpose) only for the cleared.
        publications = publications.filter(Q(policy__in=Policy.objects.filter(clearance)),
                                           frozen_marking_readable(user, version="policy_version__"))
        withdrawn = withdrawn.filter(clearance)
    # Probe F3: a withdrawn local work instruction only for those who saw it in force, its business group's staff
    # (SOP, "Local Work Instructions": they "sit outside of the corporate policy development process"; issue 13), as
    # its pages and the library's archive (a local work instruction's publication is never in Notices).
    kinds_seen = local_instructions_seen(user)
    if kinds_seen is not None:
        withdrawn = withdrawn.filter(kinds_seen)
    if before is not None:
        publications = publications.filter(published_at__lt=before)
        withdrawn = withdrawn.filter(status_changed_at__lt=before)
    publications = list(publications.select_related("policy", "policy__business_group", "policy_version")
                        .order_by("-published_at", "-pk")[:limit])
    withdrawn = list(withdrawn.select_related("business_group").order_by("-status_changed_at", "-pk")[:limit])
    notices = _merge_notices(publications, withdrawn, _withdrawal_reasons([policy.pk for policy in withdrawn]),
                             public=False, limit=limit)
    readable = visible_policy_ids(user=user, ids={notice.policy.pk for notice in notices})
    return [notice if notice.policy.pk in readable else dataclasses.replace(notice, readable=False)
            for notice in notices]


def public_notices(*, limit: int = NOTICES_PER_PAGE) -> list[Notice]:
    """The public feed: what went on the Publication Scheme, and the withdrawal of what had been there. Only
    OFFICIAL policies marked suitable for the Scheme, whatever their marking was once."""
    public_policy = Q(policy__protective_marking=ProtectiveMarking.OFFICIAL,
                      policy__suitable_for_publication_scheme=True)
    on_scheme = Publication.objects.filter(public_policy, status=Publication.Status.PUBLISHED,
                                           on_publication_scheme=True)
    publications = list(
        on_scheme.exclude(policy__status=Status.WITHDRAWN)
        .select_related("policy", "policy__business_group", "policy_version").order_by("-published_at", "-pk")[:limit]
    )
    withdrawn = list(
        Policy.objects.filter(status=Status.WITHDRAWN, protective_marking=ProtectiveMarking.OFFICIAL,
                              suitable_for_publication_scheme=True, status_changed_at__isnull=False)
        .filter(Exists(on_scheme.filter(policy_id=OuterRef("pk"))))
        .select_related("business_group").order_by("-status_changed_at", "-pk")[:limit]
    )
    on_scheme_ids = set(scheme_publications().filter(policy_id__in={p.policy_id for p in publications})
                        .values_list("policy_id", flat=True))
    return _merge_notices(publications, withdrawn, {}, public=True, on_scheme_ids=on_scheme_ids, limit=limit)
