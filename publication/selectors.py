"""The public Publication Scheme. Anonymous visitors see only what PCU published there: the published
version (never a draft under review), its OFFICIAL SOPs marked for external publication, its completed EIA,
and its published monitoring reports. Nothing OFFICIAL-SENSITIVE ever reaches these pages."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from lifecycle.models import Policy, SOPVersion
from lifecycle.selectors import user_may_see_drafts, user_may_see_sensitive
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication, PublishedFile


def _scheme_publications() -> QuerySet[Publication]:
    return Publication.objects.exclude(policy__status=Status.WITHDRAWN).filter(
        status=Publication.Status.PUBLISHED, on_publication_scheme=True,
        # A version superseded by a newer publication is no longer current anywhere, even where the newer one
        # was not put (it was taken down from there when the newer one was published).
        superseded_at__isnull=True,
        # A policy under review stays in force, and on the scheme, in its published version.
        policy__first_published_on__isnull=False,
        policy__protective_marking=ProtectiveMarking.OFFICIAL,
        policy__suitable_for_publication_scheme=True,
    )


def scheme_policies() -> QuerySet[Policy]:
    latest = _scheme_publications().filter(policy_id=OuterRef("pk")).order_by("-published_at")
    return (
        Policy.objects.filter(pk__in=_scheme_publications().values("policy_id"))
        .annotate(scheme_published_at=Subquery(latest.values("published_at")[:1]))
        .select_related("business_group")
        .order_by("title")
    )


def scheme_entry(*, reference: str) -> dict:
    publication = (
        _scheme_publications().filter(policy__reference=reference)
        .select_related("policy", "policy__business_group", "policy_version").order_by("-published_at").first()
    )
    if publication is None:
        raise Http404("Not on the Publication Scheme.")
    version = publication.policy_version
    sops = (
        SOPVersion.objects.filter(policy_version=version, sop__publish_externally=True,
                                  sop__protective_marking=ProtectiveMarking.OFFICIAL)
        .select_related("sop").order_by("sop__position", "sop_id")
    )
    eia = getattr(version, "eia", None)
    reports = publication.policy.monitoring_reports.filter(status="published").order_by("-period_end")
    return {
        "policy": publication.policy,
        "version": version,
        "publication": publication,
        "sops": list(sops),
        "eia": eia if eia is not None and eia.is_complete and eia.frozen_at else None,
        "reports": list(reports),
    }


def policy_publications(*, policy: Policy, user) -> QuerySet[Publication]:
    """The policy's publications, newest first: scheduled, published (and what superseded them) and cancelled.
    Staff with no part in the drafting see only what was published, not a schedule for a version they may not
    read yet."""
    publications = (
        Publication.objects.filter(policy=policy)
        .select_related("policy_version", "requested_by", "published_by", "superseded_by__policy_version")
        .order_by("-requested_at", "-pk")
    )
    if not user_may_see_drafts(user=user, policy=policy):
        publications = publications.filter(status=Publication.Status.PUBLISHED)
    return publications


def scheduled_publication(*, policy: Policy, publication_id: int) -> Publication:
    publication = (
        Publication.objects.filter(policy=policy, pk=publication_id, status=Publication.Status.SCHEDULED)
        .select_related("policy_version").first()
    )
    if publication is None:
        raise Http404("No such scheduled publication.")
    return publication


def published_publication_of(*, version) -> Publication | None:
    """The publication under which ``version`` went live (the latest, if published more than once)."""
    if version is None:
        return None
    return (Publication.objects.filter(policy_version=version, status=Publication.Status.PUBLISHED)
            .select_related("policy").order_by("-published_at", "-pk").first())


def stored_file(*, publication: Publication, audience: str) -> PublishedFile | None:
    return (PublishedFile.objects.filter(publication=publication, audience=audience)
            .select_related("publication__policy").first())


def staff_audience(*, user, policy: Policy) -> str:
    """Which stored copy a member of staff gets: everything if cleared for the policy's OFFICIAL-SENSITIVE
    material (and the pack has any), else the OFFICIAL copy."""
    if user_may_see_sensitive(user=user, policy=policy) or policy.protective_marking != ProtectiveMarking.OFFICIAL:
        return PublishedFile.Audience.CLEARED
    return PublishedFile.Audience.STAFF
