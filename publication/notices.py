"""Notices: the staff's and the public's list of what was published and withdrawn, newest first (the Notices page and
both Atom feeds): policies, and the monitoring reports PCU published (SOP, stage 6: the co-ordinator "will send the
report to the Policy Co-ordination Unit to arrange for it to be published on the MPS Publication Scheme").
OFFICIAL-SENSITIVE material reaches only the staff cleared for it; the public list is what the Publication Scheme
carries."""

import datetime
from functools import lru_cache
from typing import NamedTuple

from django.db import connections
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.utils import create_namedtuple_class
from django.utils import timezone

from assessments.models import MonitoringReport
from assessments.selectors import reports_readable_by, scheme_reports
from core.compiled import CompiledSelect
from core.dates import date_shown
from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.models import NoChangeReview, Policy
from lifecycle.selectors import (
    COMPILED_VIEWERS,
    Viewer,
    frozen_marking_readable_by,
    local_instructions_seen_by,
    policies_seen_by,
    viewer_of,
)
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication
from publication.selectors import scheme_publications

NOTICES_PER_PAGE = 50


class Notice(NamedTuple):
    """One line of the bulletin: a policy published, revised (a new version of one in force) or withdrawn, or a
    monitoring report of one published. Plain values, not the publication, its policy, version and business group as
    model instances: the page printed 50 of them, and building four instances for each cost more than the statements
    that read them (make bench, 100,000 policies: Notices took 3.2-3.5 times its own SQL)."""

    key: str
    # "published", "revised", "reviewed" (re-published after a review with no change), "withdrawn", or "report" (a
    # monitoring report published)
    kind: str
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
    # For a publication's notice in the staff's list and feed: whether its reader may open the policy now (a policy
    # withdrawn since leaves the sight of staff and developers: a link to it answered 404). Not asked of a
    # withdrawal's notice, which never links its policy (the list and the feed point to the notice itself).
    readable: bool = True
    # For a monitoring report's notice: the report's id (its page, its anchor on the Scheme's page) and the period it
    # covers, in words.
    report_id: int | None = None
    period: str = ""

    @property
    def heading(self) -> str:
        verb = {"published": "Published", "revised": "Revised", "reviewed": "Reviewed, no change",
                "withdrawn": "Withdrawn", "report": "Monitoring report published"}[self.kind]
        version = f", version {self.version_number}" if self.version_number else ""
        period = f", {self.period}" if self.period else ""
        return f"{verb}: {self.title or self.policy_title} ({self.reference}{version}){period}"


# What a notice of a publication is made of (``_notice_from_publication``): the publication, its policy as it stands,
# and of its version the number, whether it revised one in force, its summary of changes and the title and purpose it
# was frozen with (its details' keys, read by PostgreSQL: never the whole version, whose statement may be long).
PUBLICATION_FIELDS = ("pk", "published_at", "policy_id", "policy__reference", "policy__title", "policy__status",
                      "policy__business_group__name", "policy__purpose", "policy_version__major",
                      "policy_version__minor", "policy_version__revises_published",
                      "policy_version__summary_of_changes", "frozen_title", "frozen_purpose",
                      "review_concluded_at", "review_eia_outcome")
# What a notice of a withdrawal is made of.
WITHDRAWN_FIELDS = ("pk", "status_changed_at", "reference", "title", "status", "business_group__name")
# What a notice of a monitoring report is made of: the report's period, and of its policy what a publication's notice
# reads (never the report's sections: what the Scheme publishes of them is on its page, the rest is staff's).
REPORT_FIELDS = ("pk", "published_at", "period_start", "period_end", "policy_id", "policy__reference",
                 "policy__title", "policy__status", "policy__business_group__name")


def _report_values(reports):
    """``reports`` published, newest first (monitoring_published_idx's order), as values of REPORT_FIELDS."""
    return (reports.filter(status=MonitoringReport.Status.PUBLISHED, published_at__isnull=False)
            .order_by("-published_at", "-pk").values_list(*REPORT_FIELDS))


def _publication_values(publications, *extra: str, named: bool = False):
    """``publications``, newest first, as values of PUBLICATION_FIELDS (and ``extra``)."""
    # A re-publication's no-change review (most publications have none) as two scalar subqueries, not a join: as a
    # join it added a table to the planner's join search on every request, and Notices' own SQL went from 4.9 to
    # 6.4 ms at 100,000 policies (make bench), for a column empty on all but a few rows.
    review = NoChangeReview.objects.filter(pk=OuterRef("no_change_review_id")).order_by()
    return (publications.annotate(frozen_title=KeyTextTransform("title", "policy_version__details"),
                                  frozen_purpose=KeyTextTransform("purpose", "policy_version__details"),
                                  review_concluded_at=Subquery(review.values("concluded_at")),
                                  review_eia_outcome=Subquery(review.values("eia_outcome")))
            .order_by("-published_at", "-pk").values_list(*PUBLICATION_FIELDS, *extra, named=named))


def reviewed_summary(*, concluded_at: datetime.datetime, eia_outcome: str, version_number: str) -> str:
    """What a re-publication after a review concluding no change says (SOP stage 5: published "in Notices"): the
    review's date and outcome, and that the version in force stands. The QA walk read a second "Published ...
    version 1.0", word for word the first publication's, and could not tell it was a review."""
    reviewed = f"Reviewed on {date_shown(timezone.localdate(concluded_at))}: no change needed."
    if eia_outcome == NoChangeReview.EIAOutcome.UPDATED:
        return (f"{reviewed} Its Equality Impact Assessment was updated and signed off; version {version_number} is "
                "in force with it.")
    return f"{reviewed} Version {version_number} stays in force, re-published as it stands."


def _notice_from_publication(row, *, on_scheme_now: bool = False, readable: bool = True) -> Notice:
    number = f"{row.policy_version__major}.{row.policy_version__minor}"
    if row.review_concluded_at is not None:
        # A re-publication after a review concluding no change (its version the one in force, or the minor version
        # its updated EIA was signed off in): a review, not a revision of the policy.
        kind, summary = "reviewed", reviewed_summary(concluded_at=row.review_concluded_at,
                                                     eia_outcome=row.review_eia_outcome,
                                                     version_number=number)
    else:
        revised = row.policy_version__revises_published or row.policy_version__major > 1
        kind = "revised" if revised else "published"
        summary = (row.policy_version__summary_of_changes if revised and row.policy_version__summary_of_changes
                   else row.frozen_purpose or row.policy__purpose)
    return Notice(key=f"publication-{row.pk}", kind=kind, at=row.published_at,
                  policy_id=row.policy_id, reference=row.policy__reference, policy_title=row.policy__title,
                  policy_status=row.policy__status, business_group=row.policy__business_group__name,
                  version_number=number, summary=summary,
                  on_scheme_now=on_scheme_now, title=row.frozen_title or "", readable=readable)


def _notice_of_withdrawal(row, *, summary: str) -> Notice:
    return Notice(key=f"withdrawal-{row.pk}", kind="withdrawn", at=row.status_changed_at, policy_id=row.pk,
                  reference=row.reference, policy_title=row.title, policy_status=row.status,
                  business_group=row.business_group__name, summary=summary)


def _notice_of_report(row) -> Notice:
    period = f"{date_shown(row.period_start)} to {date_shown(row.period_end)}"
    return Notice(key=f"report-{row.pk}", kind="report", at=row.published_at, policy_id=row.policy_id,
                  reference=row.policy__reference, policy_title=row.policy__title, policy_status=row.policy__status,
                  business_group=row.policy__business_group__name, summary=f"Monitoring report for {period}.",
                  report_id=row.pk, period=period)


def _newest(notices: list[Notice], limit: int) -> list[Notice]:
    notices.sort(key=lambda notice: (notice.at, notice.key), reverse=True)
    return notices[:limit]


def _sensitive_clearance(roles) -> Q | None:
    """The policies whose marking the holder of ``roles`` may see, as a Q on Policy; None for everything (a
    force-wide role)."""
    groups = {group for _, group in roles}
    if None in groups:
        return None
    return Q(protective_marking=ProtectiveMarking.OFFICIAL) | Q(business_group_id__in=groups)


# Stands for the time a page of Notices goes back from, in the statements compiled once (``_staff_reads``): never sent.
_BEFORE_MARKER = datetime.datetime(1900, 1, 1, 0, 0, 0, 791_910, tzinfo=datetime.UTC)
_PublicationRow = create_namedtuple_class(*PUBLICATION_FIELDS, "readable")
_WithdrawalRow = create_namedtuple_class(*WITHDRAWN_FIELDS, "reason")
_ReportRow = create_namedtuple_class(*REPORT_FIELDS)


def staff_notices(*, user, before: datetime.datetime | None = None, limit: int = NOTICES_PER_PAGE) -> list[Notice]:
    """The bulletin for a member of staff, newest first: what was published in Notices, the withdrawal of what had
    been published, and the monitoring reports published, OFFICIAL-SENSITIVE material only for those cleared for it
    and local work instructions only for their business group's staff. At most ``limit`` notices before ``before``,
    in three queries whatever the number of policies and reports: the publications, each with whether its reader may
    open its policy now (so that a notice links only where its reader may go), the withdrawals, each with its reason,
    and the reports its reader may open. The statements are compiled once per Viewer in this process
    (``_staff_reads``)."""
    viewer = viewer_of(user)
    if viewer is None:
        return []
    publications, withdrawals, reports = _staff_reads(viewer, before is not None)
    notices = [_notice_from_publication(row, readable=row.readable is not None)
               for row in map(_PublicationRow._make, _rows(publications, before, limit))]
    notices += [_notice_of_withdrawal(row, summary=row.reason or "")
                for row in map(_WithdrawalRow._make, _rows(withdrawals, before, limit))]
    notices += [_notice_of_report(row) for row in map(_ReportRow._make, _rows(reports, before, limit))]
    return _newest(notices, limit)


def _rows(compiled: CompiledSelect | None, before: datetime.datetime | None, limit: int) -> list[list]:
    """The newest ``limit`` rows of a statement of ``_staff_reads``, before ``before`` (in the marker's place)."""
    if compiled is None:
        return []
    params = None
    if before is not None:
        # The marker as the statement holds it: compiled as the database takes a datetime (SQLite's, text; QA walk of
        # 2026-12-06: make run's "Older notices" asked for what was published before 1900), and ``before`` the same.
        ops = connections[compiled.alias].ops
        marker = ops.adapt_datetimefield_value(_BEFORE_MARKER)
        params = [ops.adapt_datetimefield_value(before) if value == marker else value for value in compiled.params]
    # The statement ends with its ORDER BY: the page is cut after it.
    return compiled.rows(params, suffix=" LIMIT %s", suffix_params=(limit,))


@lru_cache(maxsize=COMPILED_VIEWERS)
def _staff_reads(viewer: Viewer, before: bool) -> tuple[CompiledSelect | None, CompiledSelect | None,
                                                       CompiledSelect | None]:
    """The statements of ``staff_notices`` for ``viewer`` (with ``before``: with a marker for the time the page goes
    back from), compiled once (core.compiled): building and compiling its visibility filters and subqueries took
    more Python than PostgreSQL took to run them (make bench, 100,000 policies: a developer's Notices spent 4.6 ms
    on them against 3.4 ms of SQL). A pure function of the Viewer, which is all the rules read of the reader."""
    clearance = _sensitive_clearance(viewer.roles)
    publications = Publication.objects.filter(status=Publication.Status.PUBLISHED, in_notices=True)
    withdrawn = Policy.objects.filter(status=Status.WITHDRAWN, first_published_on__isnull=False,
                                      status_changed_at__isnull=False)
    if clearance is not None:
        # A version published OFFICIAL-SENSITIVE stays so once a review's OFFICIAL version replaces it: its notice
        # (its title and purpose) only for the cleared.
        publications = publications.filter(Q(policy__in=Policy.objects.filter(clearance)),
                                           frozen_marking_readable_by(viewer, record="policy_version__"))
        withdrawn = withdrawn.filter(clearance)
    # Probe F3: a withdrawn local work instruction only for those who saw it in force, its business group's staff
    # (SOP, "Local Work Instructions": they "sit outside of the corporate policy development process"; issue 13), as
    # its pages and the library's archive (a local work instruction's publication is never in Notices).
    kinds_seen = local_instructions_seen_by(viewer)
    if kinds_seen is not None:
        withdrawn = withdrawn.filter(kinds_seen)
    # A monitoring report published, for those who may open its page (assessments.monitoring_views: the policy's
    # pages, policy_for_page, and the report by its own marking, reports_of): they see its policy now
    # (policies_seen_by: a local work instruction's only its business group's staff; a policy withdrawn since, no
    # longer staff and developers), asked by a scalar subquery for the reason the publications' ``readable`` below
    # is, and the report by its marking and its policy's now (reports_readable_by: an OFFICIAL-SENSITIVE one only for
    # those cleared for its policy's business group). Read newest first from monitoring_published_idx.
    reports = (MonitoringReport.objects.filter(reports_readable_by(viewer))
               .alias(seen=Subquery(policies_seen_by(viewer).filter(pk=OuterRef("policy_id")).order_by()
                                    .values("pk")[:1]))
               .filter(seen__isnull=False))
    if before:
        publications = publications.filter(published_at__lt=_BEFORE_MARKER)
        withdrawn = withdrawn.filter(status_changed_at__lt=_BEFORE_MARKER)
        reports = reports.filter(published_at__lt=_BEFORE_MARKER)
    # Whether the reader may open the policy now, by the one rule (policies_seen_by): a policy withdrawn since leaves
    # the sight of staff and developers. The policy's id if so, else NULL: a scalar subquery, looked up by id for each
    # of the page's rows, where an EXISTS was planned as a hash of every policy the reader sees (the planner counts
    # the rows before the LIMIT: 27 ms for a developer's 70,000).
    publications = publications.annotate(readable=Subquery(
        policies_seen_by(viewer).filter(pk=OuterRef("policy_id")).order_by().values("pk")[:1]))
    # The reason given for the withdrawal, recorded with its audit event (the latest, should there be more).
    reason = (AuditEvent.objects.filter(policy_id=OuterRef("pk"), action=AuditAction.POLICY_WITHDRAWN)
              .order_by("-sequence").values(reason=KeyTextTransform("reason", "changes"))[:1])
    withdrawn = (withdrawn.annotate(reason=Subquery(reason)).order_by("-status_changed_at", "-pk")
                 .values_list(*WITHDRAWN_FIELDS, "reason"))
    return (CompiledSelect.of(_publication_values(publications, "readable")), CompiledSelect.of(withdrawn),
            CompiledSelect.of(_report_values(reports)))


def public_notices(*, limit: int = NOTICES_PER_PAGE) -> list[Notice]:
    """The public feed: what went on the Publication Scheme, the withdrawal of what had been there, and the
    monitoring reports on it. Only OFFICIAL policies marked suitable for the Scheme, whatever their marking was once,
    and of their reports those on the Scheme's page (assessments.selectors.scheme_reports: never one made
    OFFICIAL-SENSITIVE). Four queries at most."""
    public_policy = Q(policy__protective_marking=ProtectiveMarking.OFFICIAL,
                      policy__suitable_for_publication_scheme=True)
    on_scheme = Publication.objects.filter(public_policy, status=Publication.Status.PUBLISHED,
                                           on_publication_scheme=True)
    publications = list(_publication_values(on_scheme.exclude(policy__status=Status.WITHDRAWN), named=True)[:limit])
    withdrawn = list(
        Policy.objects.filter(status=Status.WITHDRAWN, protective_marking=ProtectiveMarking.OFFICIAL,
                              suitable_for_publication_scheme=True, status_changed_at__isnull=False)
        .filter(Exists(on_scheme.filter(policy_id=OuterRef("pk"))))
        .order_by("-status_changed_at", "-pk").values_list(*WITHDRAWN_FIELDS, named=True)[:limit]
    )
    on_scheme_ids = set(scheme_publications().filter(policy_id__in={p.policy_id for p in publications})
                        .values_list("policy_id", flat=True))
    notices = [_notice_from_publication(row, on_scheme_now=row.policy_id in on_scheme_ids) for row in publications]
    notices += [_notice_of_withdrawal(row, summary="Withdrawn: no longer in force.") for row in withdrawn]
    notices += [_notice_of_report(row) for row in map(_ReportRow._make, _report_values(scheme_reports())[:limit])]
    return _newest(notices, limit)
