"""Keeping the library's index up to date (rows derived from the published record, never evidence themselves).

``library_index_policy`` rebuilds one policy's rows from what is published: it runs inside the transaction of the
audited change that called for it (library.receivers), so the library never shows a state that was rolled back,
and it is safe to run any number of times. ``library_reindex`` rebuilds everything, in batches (after a migration,
or to repair)."""

from __future__ import annotations

import html
import re

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.html import strip_tags

from assessments.models import EqualityImpactAssessment, Impact, MonitoringReport, ProtectedCharacteristic
from library.models import DocumentKind, LibraryDocument
from lifecycle.models import Policy, PolicyVersion, SOPVersion
from lifecycle.states import PolicyKind, Status, highest_marking

# The markers SearchHeadline wraps matches in (Unicode private use: never in a document, removed if typed in).
MATCH_START, MATCH_END = "\ue000", "\ue001"
# Rich text is limited to 500,000 characters (README, bounded work): so is each document's indexed text.
MAX_BODY = 500_000


# Where a block of text starts or ends (rich text's paragraphs, list items, headings, table cells, line breaks): a
# line break is put there before the tags go, or "public.</p><p>Quokka" would read as the one token
# "public.quokka" (a host name, to PostgreSQL's parser) and the paragraph's first word would never be found.
BLOCK_BOUNDARY = re.compile(r"<(?=/?(?:p|div|li|ul|ol|dl|dt|dd|h[1-6]|br|hr|tr|td|th|table|thead|tbody|tfoot|caption"
                            r"|blockquote|pre|section|article|figure|figcaption)\b)", re.IGNORECASE)


def plain_text(*parts: str) -> str:
    """Markup removed (blocks kept apart), entities decoded, the headline markers removed, bounded."""
    text = "\n\n".join(html.unescape(strip_tags(BLOCK_BOUNDARY.sub("\n<", part or ""))).strip()
                       for part in parts if part)
    return text.replace(MATCH_START, "").replace(MATCH_END, "")[:MAX_BODY]


def _eia_text(eia: EqualityImpactAssessment) -> str:
    impacts = eia.impacts or {}
    lines = []
    for characteristic in ProtectedCharacteristic:
        entry = impacts.get(characteristic.value) or {}
        impact = Impact(entry["impact"]).label if entry.get("impact") in Impact.values else ""
        lines.append(f"{characteristic.label}: {impact}. {entry.get('notes') or ''}".strip())
    return plain_text(eia.aims, eia.evidence_and_data, eia.consultation_summary, "\n".join(lines), eia.mitigation,
                      eia.get_decision_display(), eia.decision_rationale)


def _published_versions(policy: Policy) -> list[PolicyVersion]:
    """The versions published on the Corporate Policy Intranet, newest first, each with ``published_at`` (its first
    publication), ``last_published_at`` (its latest: a re-publication after a review concluding no change) and
    ``is_in_force`` (the newest version published, on any channel, is the one in force: if it was
    not put on the intranet, the intranet has no current version)."""
    published = Q(publications__status="published")
    versions = list(
        PolicyVersion.objects.filter(policy=policy).filter(published)
        .annotate(published_at=Min("publications__published_at", filter=published),
                  last_published_at=Max("publications__published_at", filter=published),
                  publication_count=Count("publications", filter=published))
        .order_by("-major", "-minor")
    )
    # On the intranet by the channels of its newest publication: a re-publication unchanged that leaves the intranet
    # takes the version off it (its earlier publication, on the intranet, is superseded by it).
    newest_channel: dict[int, bool] = {}
    for version_id, channel in (policy.publications.filter(status="published")
                                .order_by("published_at", "pk").values_list("policy_version_id", "on_intranet")):
        newest_channel[version_id] = channel
    on_intranet = {version_id for version_id, channel in newest_channel.items() if channel}
    for position, version in enumerate(versions):
        version.is_in_force = position == 0
    return [version for version in versions if version.pk in on_intranet]


def _documents_of(policy: Policy) -> list[LibraryDocument]:
    withdrawn = policy.status == Status.WITHDRAWN
    common = {"policy": policy, "reference": policy.reference, "business_group_id": policy.business_group_id,
              "is_withdrawn": withdrawn, "local_to_group": policy.kind == PolicyKind.LOCAL}
    documents = []
    versions = _published_versions(policy)
    # A monitoring report is of the policy: shown with the title and "relevant to" of the version published last.
    published = versions[0].details_read if versions else {"title": policy.title, "relevant_to": policy.relevant_to}
    for version in versions:
        current = version.is_in_force and not withdrawn
        published_on = timezone.localdate(version.last_published_at) if version.last_published_at else None
        first_published_on = (timezone.localdate(version.published_at)
                              if version.publication_count > 1 and version.published_at else None)
        # The title, purpose and "relevant to" the version was published with (issue 12: a later draft's details
        # never rewrite those of a version in force). The marking is the policy's as it stands (a re-marking up takes
        # effect for visibility at once, on the version in force too), or the version's if higher: what was published
        # OFFICIAL-SENSITIVE stays so among the earlier versions once a review's OFFICIAL version replaces it.
        details = version.details_read
        marking = highest_marking(policy.protective_marking, details["protective_marking"])
        base = {**common, "policy_version": version, "is_current": current, "published_on": published_on,
                "first_published_on": first_published_on,
                "policy_title": details["title"][:300], "relevant_to": details["relevant_to"] or "",
                "version_number": version.number}
        documents.append(LibraryDocument(**base, kind=DocumentKind.STATEMENT, title=details["title"],
                                         body=plain_text(details["purpose"], version.statement,
                                                         version.summary_of_changes),
                                         protective_marking=marking))
        for sop_version in (SOPVersion.objects.filter(policy_version=version).select_related("sop")
                            .order_by("sop__position", "sop_id")):
            sop = sop_version.sop
            documents.append(LibraryDocument(**base, kind=DocumentKind.SOP, sop=sop, title=sop.title[:300],
                                             body=plain_text(sop_version.text),
                                             protective_marking=highest_marking(marking, sop.protective_marking)))
        eia = EqualityImpactAssessment.objects.filter(policy_version=version).first()
        # As the Publication Scheme: the EIA once it is complete and signed off (frozen); after an emergency
        # approval, once DCFD signs the retrospective EIA off.
        if eia is not None and eia.frozen_at and eia.is_complete:
            documents.append(LibraryDocument(**base, kind=DocumentKind.EIA,
                                             title=f"Equality Impact Assessment: {details['title']}"[:300],
                                             body=_eia_text(eia), protective_marking=marking))
    for report in MonitoringReport.objects.filter(policy=policy, status=MonitoringReport.Status.PUBLISHED):
        documents.append(LibraryDocument(
            **common, kind=DocumentKind.MONITORING_REPORT, monitoring_report=report, policy_version=None,
            policy_title=published["title"][:300], relevant_to=published["relevant_to"] or "",
            is_current=not withdrawn, title=f"Monitoring report {report.period_start:%-d %B %Y} to "
                                            f"{report.period_end:%-d %B %Y}: {published['title']}"[:300],
            published_on=timezone.localdate(report.published_at) if report.published_at else None,
            body=plain_text(report.compliance, report.benefits, report.performance, report.diversity_impact),
            # As a version's: the policy's marking as it stands, or the report's own if higher (what was written and
            # published OFFICIAL-SENSITIVE stays so once a review's OFFICIAL version is published).
            protective_marking=highest_marking(policy.protective_marking, report.protective_marking)))
    return documents


def library_index_policy(*, policy_id: int) -> int:
    """Rebuild the library's rows of one policy from what is published now. Returns how many it holds."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update(of=("self",), no_key=True).filter(pk=policy_id).first()
        LibraryDocument.objects.filter(policy_id=policy_id).delete()
        if policy is None or policy.first_published_on is None:
            return 0
        documents = _documents_of(policy)
        LibraryDocument.objects.bulk_create(documents)
        return len(documents)


def library_reindex(*, batch: int = 500) -> int:
    """Rebuild every published policy's rows, a batch of policies per transaction. Returns the documents held."""
    total = 0
    last = 0
    while True:
        ids = list(Policy.objects.filter(first_published_on__isnull=False, pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            return total
        with transaction.atomic():
            for policy_id in ids:
                total += library_index_policy(policy_id=policy_id)
        last = ids[-1]
