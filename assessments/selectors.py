"""Who reads which monitoring reports by their protective marking.

A report keeps the marking it was written, submitted and published under (MonitoringReport.protective_marking), as a
version keeps the one it was frozen with, and is read by the same rule (lifecycle.selectors.frozen_marking_readable):
one made OFFICIAL-SENSITIVE only by staff cleared for its policy's business group, whatever the policy is marked
now. A re-marking up restricts it at once as well: the stricter of its marking and its policy's marking now decides,
the policy's through the policy's own visibility (``policy_for_page``, ``scoped_policies``), as for versions, or,
where no one asks whether the reader sees the policy, here (``reports_readable_by``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from assessments.models import MonitoringReport
from lifecycle.models import Policy
from lifecycle.models.policy import ON_THE_SCHEME, SCHEME_PUBLICATION
from lifecycle.selectors import (
    REPORT_MARKING,
    Viewer,
    frozen_marking_readable,
    frozen_marking_readable_by,
    frozen_sensitive,
    user_may_see_sensitive,
)
from lifecycle.states import ProtectiveMarking

# Where a report keeps its marking: REPORT_MARKING, declared in lifecycle.selectors beside a version's, for the review's
# checklist reads it too (lifecycle.gates, through the policy's relation).


def report_frozen_sensitive(*, report: str = "") -> Q:
    """The Q of a report (reached by ``report``) made OFFICIAL-SENSITIVE: for the public, who are cleared for none."""
    return frozen_sensitive(record=report, marking=REPORT_MARKING)


def reports_of(*, user, policy: Policy) -> QuerySet[MonitoringReport]:
    """The reports of ``policy``, a policy ``user`` sees (its page asked), that they may read by the report's own
    marking: as ``policy_versions`` reads the versions, those made OFFICIAL-SENSITIVE only if they are cleared for
    it. No query of its own (the user's roles are loaded with them)."""
    reports = policy.monitoring_reports.all()
    if not user_may_see_sensitive(user=user, policy=policy):
        reports = reports.exclude(report_frozen_sensitive())
    return reports


def reports_readable(user, *, report: str = "", policy: str = "policy__") -> Q:
    """The Q a report (reached from the query's model by ``report``; its policy by ``policy``) must match for
    ``user`` to read it by its own marking, in a list across policies the user sees (the dashboard's remedial
    actions)."""
    return frozen_marking_readable(user, record=report, policy=policy, marking=REPORT_MARKING)


def reports_readable_by(viewer: Viewer, *, report: str = "", policy: str = "policy__") -> Q:
    """``reports_readable`` from a Viewer, where nothing else asks whether they see the report's policy (My work's
    remedial actions): the stricter of the report's marking and its policy's marking now, each read by the one rule
    (``frozen_marking_readable_by``; the policy's own column is its marking now)."""
    return (frozen_marking_readable_by(viewer, record=report, policy=policy, marking=REPORT_MARKING)
            & frozen_marking_readable_by(viewer, record=policy, policy=policy, marking="protective_marking"))


# The report's side of being on the Publication Scheme: published by PCU, and not made OFFICIAL-SENSITIVE
# (``report_frozen_sensitive``). Its policy's side is its policy's (``policies_on_scheme``).
def report_on_scheme(*, report: str = "") -> Q:
    """The Q a report (reached from the query's model by ``report``) of a policy on the Scheme must match to be on it:
    the Scheme's page lists these (publication.selectors.scheme_entry)."""
    return Q(**{f"{report}status": MonitoringReport.Status.PUBLISHED}) & ~report_frozen_sensitive(report=report)


def policies_on_scheme() -> QuerySet[Policy]:
    """The policies with a page on the Scheme: on it (``ON_THE_SCHEME``), with their current publication put there
    (``SCHEME_PUBLICATION``), as publication.selectors.on_scheme asks of a publication."""
    put_there = {f"publications__{name}": value for name, value in SCHEME_PUBLICATION.items()}
    return Policy.objects.filter(ON_THE_SCHEME, **put_there)


def scheme_reports() -> QuerySet[MonitoringReport]:
    """Every monitoring report on the Publication Scheme now, by the rule its page applies: the report's side
    (``report_on_scheme``) and its policy's (``policies_on_scheme``). The public feed announces these
    (publication.notices.public_notices)."""
    return MonitoringReport.objects.filter(report_on_scheme(), policy__in=policies_on_scheme().values("pk"))


def report_kept_off_scheme(report: MonitoringReport) -> str | None:
    """Why ``report``, published by PCU, is not on the Publication Scheme, as a key of ``scheme_sections.DESTINATIONS``;
    None when it goes on it. The rule the Scheme's page applies (publication.selectors.scheme_entry;
    ``scheme_reports``), asked of one report: its policy is on the Scheme (``policies_on_scheme``) and the report is
    not made OFFICIAL-SENSITIVE (``report_frozen_sensitive``). Before it is published, by the marking it would be
    published under (``marking_read``: the stricter of its own and its policy's, which publishing freezes on it). At
    most one query."""
    if report.marking_read == ProtectiveMarking.OFFICIAL_SENSITIVE:
        return "sensitive"
    return None if policies_on_scheme().filter(pk=report.policy_id).exists() else "policy_off_scheme"
