"""Notices: the staff's and the public's list of what was published and withdrawn, newest first (the Notices page and
both Atom feeds). OFFICIAL-SENSITIVE policies reach only the staff cleared for them; the public list is what the
Publication Scheme carries."""

import datetime
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.models import Policy
from lifecycle.permissions import role_index
from lifecycle.selectors import frozen_marking_readable, local_instructions_seen, visible_policy_ids
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication
from publication.selectors import scheme_publications

NOTICES_PER_PAGE = 50


class Notice(NamedTuple):
    """One line of the bulletin: a policy published, revised (a new version of one in force) or withdrawn. Plain
    values, not the publication, its policy, version and business group as model instances: the page printed 50 of
    them, and building four instances for each cost more than the statements that read them (make bench, 100,000
    policies: Notices took 3.2-3.5 times its own SQL)."""

    key: str
    kind: str  # "published", "revised" or "withdrawn"
    at: datetime.datetime
    policy_id: int
    reference: str
    # The policy's title as it stands (the page's), and its status now (a notice of a policy since withdrawn says so).
    policy_title: str
    policy_status: str
    business_group: str
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
        return f"{verb}: {self.title or self.policy_title} ({self.reference}{version})"


# What a notice of a publication is made of (``_notice_from_publication``): the publication, its policy as it stands,
# and of its version the number, whether it revised one in force, its summary of changes and the title and purpose it
# was frozen with (its details' keys, read by PostgreSQL: never the whole version, whose statement may be long).
PUBLICATION_FIELDS = ("pk", "published_at", "policy_id", "policy__reference", "policy__title", "policy__status",
                      "policy__business_group__name", "policy__purpose", "policy_version__major",
                      "policy_version__minor", "policy_version__revises_published",
                      "policy_version__summary_of_changes", "frozen_title", "frozen_purpose")
# What a notice of a withdrawal is made of.
WITHDRAWN_FIELDS = ("pk", "status_changed_at", "reference", "title", "status", "business_group__name")


def _publication_rows(publications, *, limit: int) -> list:
    """The newest ``limit`` of ``publications``, as rows of PUBLICATION_FIELDS."""
    return list(publications.annotate(frozen_title=KeyTextTransform("title", "policy_version__details"),
                                      frozen_purpose=KeyTextTransform("purpose", "policy_version__details"))
                .order_by("-published_at", "-pk").values_list(*PUBLICATION_FIELDS, named=True)[:limit])


def _notice_from_publication(row, *, on_scheme_now: bool = False) -> Notice:
    revised = row.policy_version__revises_published or row.policy_version__major > 1
    summary = (row.policy_version__summary_of_changes if revised and row.policy_version__summary_of_changes
               else row.frozen_purpose or row.policy__purpose)
    return Notice(key=f"publication-{row.pk}", kind="revised" if revised else "published", at=row.published_at,
                  policy_id=row.policy_id, reference=row.policy__reference, policy_title=row.policy__title,
                  policy_status=row.policy__status, business_group=row.policy__business_group__name,
                  version_number=f"{row.policy_version__major}.{row.policy_version__minor}", summary=summary,
                  on_scheme_now=on_scheme_now, title=row.frozen_title or "")


def _sensitive_clearance(user) -> Q | None:
    """The policies whose marking the user may see, as a Q on Policy; None for everything (a force-wide role)."""
    groups = {group for _, group in role_index(user)}
    if None in groups:
        return None
    return Q(protective_marking=ProtectiveMarking.OFFICIAL) | Q(business_group_id__in=groups)


def _merge_notices(publications: list, withdrawn: list, reasons: dict[int, str], *, public: bool,
                   on_scheme_ids: set[int] = frozenset(), limit: int) -> list[Notice]:
    """The newest ``limit`` of the publications' notices (rows of PUBLICATION_FIELDS) and the withdrawals' (rows of
    WITHDRAWN_FIELDS)."""
    notices = [_notice_from_publication(row, on_scheme_now=row.policy_id in on_scheme_ids) for row in publications]
    notices += [Notice(key=f"withdrawal-{row.pk}", kind="withdrawn", at=row.status_changed_at, policy_id=row.pk,
                       reference=row.reference, policy_title=row.title, policy_status=row.status,
                       business_group=row.business_group__name,
                       summary=reasons.get(row.pk, "") if not public else "Withdrawn: no longer in force.")
                for row in withdrawn]
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
    publications = _publication_rows(publications, limit=limit)
    withdrawn = list(withdrawn.order_by("-status_changed_at", "-pk").values_list(*WITHDRAWN_FIELDS, named=True)[:limit])
    notices = _merge_notices(publications, withdrawn, _withdrawal_reasons([row.pk for row in withdrawn]),
                             public=False, limit=limit)
    readable = visible_policy_ids(user=user, ids={notice.policy_id for notice in notices})
    return [notice if notice.policy_id in readable else notice._replace(readable=False) for notice in notices]


def public_notices(*, limit: int = NOTICES_PER_PAGE) -> list[Notice]:
    """The public feed: what went on the Publication Scheme, and the withdrawal of what had been there. Only
    OFFICIAL policies marked suitable for the Scheme, whatever their marking was once."""
    public_policy = Q(policy__protective_marking=ProtectiveMarking.OFFICIAL,
                      policy__suitable_for_publication_scheme=True)
    on_scheme = Publication.objects.filter(public_policy, status=Publication.Status.PUBLISHED,
                                           on_publication_scheme=True)
    publications = _publication_rows(on_scheme.exclude(policy__status=Status.WITHDRAWN), limit=limit)
    withdrawn = list(
        Policy.objects.filter(status=Status.WITHDRAWN, protective_marking=ProtectiveMarking.OFFICIAL,
                              suitable_for_publication_scheme=True, status_changed_at__isnull=False)
        .filter(Exists(on_scheme.filter(policy_id=OuterRef("pk"))))
        .order_by("-status_changed_at", "-pk").values_list(*WITHDRAWN_FIELDS, named=True)[:limit]
    )
    on_scheme_ids = set(scheme_publications().filter(policy_id__in={p.policy_id for p in publications})
                        .values_list("policy_id", flat=True))
    return _merge_notices(publications, withdrawn, {}, public=True, on_scheme_ids=on_scheme_ids, limit=limit)
