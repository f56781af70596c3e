"""The public Publication Scheme. Anonymous visitors see only what PCU published there: the published
version (never a draft under review), its OFFICIAL SOPs marked for external publication, its completed EIA,
and its published monitoring reports. Nothing OFFICIAL-SENSITIVE ever reaches these pages.

The marking and the suitability asked are the policy's own, as they stand: a policy re-marked OFFICIAL-SENSITIVE
(or made unsuitable) during a review leaves the scheme at once, its version in force included, and its public
copy does not stay up until the reviewed version is published. That is the safe reading of issue 12's "takes
effect for visibility at once": the re-marking says the material is sensitive now, whatever version carries it."""

from django.db.models import CharField, F, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.http import Http404

from lifecycle.models import Policy, SOPVersion
from lifecycle.selectors import user_may_see_drafts
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication


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
    frozen_title = latest.annotate(frozen_title=KeyTextTransform("title", "policy_version__details"))
    return (
        Policy.objects.filter(pk__in=_scheme_publications().values("policy_id"))
        .annotate(scheme_published_at=Subquery(latest.values("published_at")[:1]),
                  # The title the published version was frozen with (a review may be retitling the draft).
                  scheme_title=Coalesce(Subquery(frozen_title.values("frozen_title")[:1]), F("title"),
                                        output_field=CharField()))
        .select_related("business_group")
        .order_by("scheme_title", "reference")
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
        # What the public read is the published version's details, never a draft's under review.
        "details": version.details_read,
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
