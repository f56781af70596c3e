"""The public Publication Scheme. Anonymous visitors see only what PCU published there: the published
version (never a draft under review), its OFFICIAL SOPs marked for external publication, its completed EIA,
and its published monitoring reports. Nothing OFFICIAL-SENSITIVE ever reaches these pages.

The marking and the suitability asked are the policy's own, as they stand: a policy re-marked OFFICIAL-SENSITIVE
(or made unsuitable) during a review leaves the scheme at once, its version in force included, and its public
copy does not stay up until the reviewed version is published. That is the safe reading of issue 12's "takes
effect for visibility at once": the re-marking says the material is sensitive now, whatever version carries it.
A review's re-marking OFFICIAL is its version's: the policy stays OFFICIAL-SENSITIVE, and off the Scheme, until that
version is published (lifecycle.services.details), and only a version published OFFICIAL was ever put on it.

The Scheme's index (its search, rows and filters) is publication.scheme_index."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404

from acknowledgements.models import AudienceCriterion
from assessments import scheme_sections
from assessments.selectors import report_on_scheme
from core.events import AuditAction
from core.models import AuditEvent, Role
from lifecycle.models import Policy, SOPVersion
from lifecycle.models.policy import ON_THE_SCHEME, SCHEME_PUBLICATION
from lifecycle.selectors import frozen_sensitive, user_may_see_drafts, user_may_see_sensitive, withdrawal_shown
from lifecycle.states import ProtectiveMarking, Status
from publication.documents import pack_sops
from publication.models import FOIExemption, Publication, PublishedFile
from publication.redaction import html_blocks


def on_scheme(prefix: str = "") -> Q:
    """The Q a publication (reached from the query's model by ``prefix``, e.g. "publication__") must match to be on
    the Scheme now."""
    conditions = {
        # Published there, and not superseded (lifecycle.models.policy.SCHEME_PUBLICATION).
        **SCHEME_PUBLICATION,
        # A policy under review stays in force, and on the scheme, in its published version.
        "policy__first_published_on__isnull": False,
        "policy__protective_marking": ProtectiveMarking.OFFICIAL,
        "policy__suitable_for_publication_scheme": True,
    }
    return Q(**{prefix + name: value for name, value in conditions.items()}) & ~Q(
        **{prefix + "policy__status": Status.WITHDRAWN})


def scheme_publications() -> QuerySet[Publication]:
    return Publication.objects.filter(on_scheme())


# What the Scheme publishes of a monitoring report: declared in assessments.scheme_sections (the report's form reads
# it too).
SCHEME_REPORT_SECTIONS = scheme_sections.PUBLISHED_SECTIONS
SCHEME_REPORT_UNPUBLISHED = scheme_sections.UNPUBLISHED_SECTION
SCHEME_REPORT_UNPUBLISHED_WHY = scheme_sections.ON_THE_SCHEME


def scheme_entry(*, reference: str) -> dict:
    publication = (
        scheme_publications().filter(policy__reference=reference)
        .select_related("policy", "policy__business_group", "policy__subject", "policy_version")
        .order_by("-published_at").first()
    )
    if publication is None:
        raise Http404("Not on the Publication Scheme.")
    version = publication.policy_version
    sops = (
        SOPVersion.objects.filter(policy_version=version, publish_externally=True,
                                  sop__protective_marking=ProtectiveMarking.OFFICIAL)
        .select_related("sop").prefetch_related("redactions").order_by("sop__position", "sop_id")
    )
    sops = list(sops)
    labels = dict(FOIExemption.choices)
    withheld = {sop_version.pk: {redaction.block: labels[redaction.exemption]
                                 for redaction in sop_version.redactions.all()} for sop_version in sops}
    eia = getattr(version, "eia", None)
    # Only what the Scheme publishes of each report is read: the performance section never reaches the page. A report
    # made while the policy was OFFICIAL-SENSITIVE stays so once a review's OFFICIAL version is on the Scheme, as the
    # version it replaced does: never here. The report's side of the one rule (assessments.selectors.report_on_scheme;
    # its policy's side is the publication above), which the public feed reads too (scheme_reports).
    reports = (publication.policy.monitoring_reports.filter(report_on_scheme())
               .order_by("-period_end")
               .only("pk", "policy_id", "status", "period_start", "period_end",
                     *(name for name, _ in SCHEME_REPORT_SECTIONS)))
    return {
        "policy": publication.policy,
        "version": version,
        # What the public read is the published version's details, never a draft's under review.
        "details": version.details_read,
        "publication": publication,
        # What the public reads: the SOPs this version was published with externally, with withheld parts redacted.
        "sops": pack_sops(sops, withheld_by_sop_version=withheld),
        "eia": eia if eia is not None and eia.is_complete and eia.frozen_at else None,
        "reports": [{"report": report, "sections": [(label, getattr(report, name))
                                                    for name, label in SCHEME_REPORT_SECTIONS]}
                    for report in reports],
        "report_unpublished_section": SCHEME_REPORT_UNPUBLISHED[1],
        "report_unpublished_why": SCHEME_REPORT_UNPUBLISHED_WHY,
    }


def _publications_seen(*, policy: Policy, user, prefix: str = "") -> Q:
    """The Q a publication of ``policy`` (reached from the query's model by ``prefix``) must match for ``user`` to
    see it on the policy's Publication page. Staff with no part in the drafting see only what was published, not a
    schedule for a version they may not read yet."""
    seen = Q(**{prefix + "policy": policy})
    if not user_may_see_drafts(user=user, policy=policy):
        seen &= Q(**{prefix + "status": Publication.Status.PUBLISHED})
    return seen


def policy_publications(*, policy: Policy, user) -> list[Publication]:
    """The policy's publications as its Publication page lists them, newest first: scheduled, published (and what
    superseded them, or the withdrawal that took them down) and cancelled, each with the stored files ``user`` may
    download (``published_file_readable``) as ``files_shown``: a file they may not open is not listed at all, for its
    row (its audience, size, date and SHA-256) told staff not cleared for OFFICIAL-SENSITIVE material that such a
    copy exists and fingerprinted it (security probe F9). Each publication in force when
    the policy was withdrawn carries that withdrawal as ``withdrawal`` (the decision PCU carried out), else None, and
    the policy that replaced it as ``replaced_by_shown`` if ``user`` may see that policy (``withdrawal_shown``).
    A cancelled one carries its ``cancellation`` (the audit event: who, when, why); a scheduled or published one
    (not a re-publication of its version, which asks no one anew) whom it asks to confirm they have read it, ``asked``
    (``AskedToAcknowledge``). A published one whose files could not be stored carries the failure as
    ``files_failure`` (``FilesNotStored``), else None. At most seven queries, however many publications, files and
    people asked: the publications, their files, and, only when the page has any, the cancellations, the people
    asked, the files' failures and the withdrawal (with what ``user_may_see_drafts`` asks of the user's part in the
    policy, and whether they may see the policy that replaced it)."""
    publications = list(
        Publication.objects.filter(_publications_seen(policy=policy, user=user))
        .select_related("policy_version", "requested_by", "published_by", "superseded_by__policy_version")
        .prefetch_related("files").order_by("-requested_at", "-pk")
    )
    _attach_cancellations(policy, publications)
    _attach_asked_to_acknowledge(policy, publications)
    # The policy that replaced a withdrawn one is named only to a reader who may see it, as on its overview (review
    # 4: it may be another group's OFFICIAL-SENSITIVE draft, a 404 to them).
    shown = withdrawal_shown(user=user, policy=policy) or {"decision": None, "replaced_by": None}
    cleared = user_may_see_sensitive(user=user, policy=policy)
    published = any(publication.status == Publication.Status.PUBLISHED for publication in publications)
    failures = files_not_stored(policy_ids=[policy.pk]) if published else {}
    for publication in publications:
        publication.files_failure = failures.get(publication.pk)
        # What was in force when the policy was withdrawn was taken down then, not superseded: PCU, the "'gateway'
        # function for the internal and external publication of policy" (SOP), carried it out.
        publication.withdrawal = shown["decision"] if publication.is_current else None
        publication.replaced_by_shown = shown["replaced_by"] if publication.withdrawal else None
        publication.taken_down = taken_down_in_words(publication) if publication.withdrawal else ""
        # The version is joined already: what it was published as costs no query.
        published_as = published_marking(version=publication.policy_version, policy=policy)
        publication.files_shown = [published_file for published_file in publication.files.all()
                                   if published_file_readable(published_file=published_file, cleared=cleared,
                                                              published_as=published_as)]
    return publications


def _attach_cancellations(policy: Policy, publications: list[Publication]) -> None:
    """Each cancelled publication's ``cancellation``: the audit event that recorded it (its actor, None for the
    scheduled job; when; ``changes["reason"]``), the record of who cancelled it and why (SOP: "Ensure that audit
    trails of policy and procedural changes are maintained"). The events name the version, not the publication:
    a version has at most one scheduled publication at a time (``one_live_publication_per_version``), so its
    cancellations happened in the order its publications were requested, and are paired in that order. One query,
    none if nothing on the page was cancelled (a reader who sees any cancelled publication sees them all)."""
    cancelled = sorted((publication for publication in publications
                        if publication.status == Publication.Status.CANCELLED), key=lambda publication: publication.pk)
    for publication in publications:
        publication.cancellation = None
    if not cancelled:
        return
    events_by_version: dict[str, list[AuditEvent]] = {}
    events = (AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.POLICY_PUBLICATION_CANCELLED)
              .select_related("actor").order_by("sequence"))
    for event in events:
        events_by_version.setdefault(str((event.changes or {}).get("version", "")), []).append(event)
    for publication in cancelled:
        waiting = events_by_version.get(publication.policy_version.number)
        publication.cancellation = waiting.pop(0) if waiting else None


@dataclass(frozen=True)
class AskedToAcknowledge:
    """Whom a version asks to confirm they have read it once in force (issue 14; chosen on the publish page,
    acknowledgements.services.acknowledgement_audience_record), in words, business groups first, then units (with
    their group), then roles, each alphabetical. Empty: nobody was chosen. ``asks_again``: False for a minor
    version whose earlier confirmations still count."""

    whom: tuple[str, ...]
    asks_again: bool = True


def _attach_asked_to_acknowledge(policy: Policy, publications: list[Publication]) -> None:
    """Each version's first scheduled or published publication's ``asked``; None on the others (cancelled: its
    choice was dropped or replaced when it was scheduled again; a re-publication of the same version asks no one
    anew). A re-publication after a review concluding no change whose EIA was updated is its minor version's first,
    and asks whom the version it replaced asked (acknowledgements.services.acknowledgement_audience_carry_forward):
    said on it. One query, none if no publication on the page asks anyone."""
    first_of_version: dict[int, Publication] = {}
    for publication in sorted(publications, key=lambda publication: publication.pk):
        if publication.status in {Publication.Status.SCHEDULED, Publication.Status.PUBLISHED}:
            first_of_version.setdefault(publication.policy_version_id, publication)
    asking = list(first_of_version.values())
    for publication in publications:
        publication.asked = None
    if not asking:
        return
    criteria_by_version: dict[int, list[AudienceCriterion]] = {}
    for criterion in (AudienceCriterion.objects.filter(audience__policy=policy)
                      .select_related("audience", "business_group", "unit__business_group")):
        criteria_by_version.setdefault(criterion.audience.policy_version_id, []).append(criterion)
    for publication in asking:
        criteria = criteria_by_version.get(publication.policy_version_id, [])
        groups = sorted(str(c.business_group) for c in criteria if c.business_group_id)
        units = sorted((str(c.unit.business_group), str(c.unit)) for c in criteria if c.unit_id)
        roles = sorted(Role(c.role).label for c in criteria if c.role)
        publication.asked = AskedToAcknowledge(
            whom=(*(f"The staff of {group}" for group in groups),
                  *(f"The staff of {unit} ({group})" for group, unit in units),
                  *(f"Everyone holding the role {role}" for role in roles)),
            asks_again=criteria[0].audience.ask_again if criteria else True)


def taken_down_in_words(publication: Publication) -> str:
    """Where a withdrawn policy's publication went when it was withdrawn, channel by channel: the library on the
    intranet and the Scheme show only policies in force (the Scheme's page for it says it was withdrawn), and Notices
    announce the withdrawal (``staff_notices``), whichever channels the publication was on."""
    taken_off = [name for name, on in (("the Corporate Policy Intranet", publication.on_intranet),
                                       ("the MPS Publication Scheme", publication.on_publication_scheme)) if on]
    off = f"off {' and '.join(taken_off)}; " if taken_off else ""
    return f"From every channel it was on: {off}Notices announce the withdrawal."


def published_marking(*, version, policy: Policy) -> str:
    """The marking ``version`` was published with: the one frozen in its details (``FROZEN_SENSITIVE`` reads the
    same), or, for a version frozen before versions recorded their details, its policy's (as
    ``PolicyVersion.details_read`` reads it, without reading the policy again: ``policy`` is the one in hand)."""
    return (version.details or {}).get("protective_marking") or policy.protective_marking


def stored_copies_readable(*, cleared: bool, published_as: str) -> bool:
    """Whether any stored copy of a version published as ``published_as`` (``published_marking``) may be read by
    someone ``cleared`` or not for the policy's OFFICIAL-SENSITIVE material: a version published OFFICIAL-SENSITIVE
    only by those cleared, whatever the policy is marked now, as its page (``policy_versions``) and its events are.
    Its "staff" or "public" copy, marked OFFICIAL, was stored by the rule before 2297154 after a review's OFFICIAL
    version superseded it (the copies followed the policy's marking then, not the version's): that copy printed the
    version's words, and is evidence, kept (``manage.py stored_files_check`` lists such copies)."""
    return cleared or published_as == ProtectiveMarking.OFFICIAL


def published_file_readable(*, published_file: PublishedFile, cleared: bool, published_as: str) -> bool:
    """Whether someone who sees the file's publication may download it. ``cleared``: they may see the policy's
    OFFICIAL-SENSITIVE material (``user_may_see_sensitive``); ``published_as``: the marking the publication's version
    was published with (``published_marking``). The cleared copy, any file that prints OFFICIAL-SENSITIVE, and every
    copy of a version published OFFICIAL-SENSITIVE (``stored_copies_readable``), only for them: what the file was
    marked when stored and what its version was published as stand, whatever the policy is marked now (re-marking a
    policy OFFICIAL does not unmark the files stored while it was OFFICIAL-SENSITIVE, nor the versions)."""
    if cleared:
        return True
    return (stored_copies_readable(cleared=cleared, published_as=published_as)
            and published_file.audience != PublishedFile.Audience.CLEARED
            and published_file.marking == ProtectiveMarking.OFFICIAL.label)


def stored_copy_readable_or_404(*, publication: Publication, cleared: bool,
                                published_file: PublishedFile | None = None) -> None:
    """Http404 unless a reader ``cleared`` or not for the policy's OFFICIAL-SENSITIVE material may read the stored
    copies of ``publication`` (``stored_copies_readable``: its version and policy joined to it) and, when given, the
    stored file found for them (``published_file_readable``): the rule the Publication page's list and links follow,
    for the PDFs served from the stored files (the policy's, the library's, the Scheme's)."""
    published_as = published_marking(version=publication.policy_version, policy=publication.policy)
    if not stored_copies_readable(cleared=cleared, published_as=published_as) or (
            published_file is not None
            and not published_file_readable(published_file=published_file, cleared=cleared, published_as=published_as)):
        raise Http404("No stored file.")


def readable_uncleared(prefix: str = "") -> Q:
    """``published_file_readable`` for someone not cleared (the public among them), as the Q a stored file (reached
    from the query's model by ``prefix``) must match: not the cleared copy, marked OFFICIAL, of a version not frozen
    OFFICIAL-SENSITIVE (``stored_copies_readable``). A version frozen before versions recorded their details is read
    by its policy's marking, which the query asks apart (the Scheme's: OFFICIAL, ``on_scheme``)."""
    return (~Q(**{f"{prefix}audience": PublishedFile.Audience.CLEARED})
            & Q(**{f"{prefix}marking": ProtectiveMarking.OFFICIAL.label})
            & ~frozen_sensitive(record=f"{prefix}publication__policy_version__"))


def access_published_file(*, user, policy: Policy, publication_id: int, file_id: int) -> PublishedFile:
    """One stored file of one of the policy's publications, for its Publication page's download link: the file as
    stored, any rendition (the earlier ones are the record of what was published until the next). 404 unless
    ``user`` sees the publication on the page and may download the file (``published_file_readable``), so that a
    file out of their sight is not told apart from one that does not exist. ``policy`` is one ``access_policy``
    gave ``user``. One query."""
    published_file = (
        PublishedFile.objects.filter(_publications_seen(policy=policy, user=user, prefix="publication__"),
                                     pk=file_id, publication_id=publication_id)
        .select_related("publication__policy_version").first()
    )
    if published_file is None or not published_file_readable(
            published_file=published_file, cleared=user_may_see_sensitive(user=user, policy=policy),
            published_as=published_marking(version=published_file.publication.policy_version, policy=policy)):
        raise Http404("No such stored file.")
    # The policy is the one already read (published_file_read audits against it if the file fails its check).
    published_file.publication.policy = policy
    return published_file


def scheduled_publication(*, policy: Policy, publication_id: int) -> Publication:
    publication = (
        Publication.objects.filter(policy=policy, pk=publication_id, status=Publication.Status.SCHEDULED)
        .select_related("policy_version").first()
    )
    if publication is None:
        raise Http404("No such scheduled publication.")
    return publication


def scheme_stored_pdf(*, reference: str) -> PublishedFile | None:
    """The stored public PDF of the policy's entry on the Scheme (its newest rendition), in one query (None if it is
    not stored yet, or the policy is not on the Scheme). A plain join, no subquery: the download is measured against
    serving the file as a static file (make bench: the subquery's planning alone cost five times the static file)."""
    return (PublishedFile.objects.filter(on_scheme("publication__"), publication__policy__reference=reference,
                                         audience=PublishedFile.Audience.PUBLIC)
            .filter(readable_uncleared())
            .order_by("-publication__published_at", "-rendition").first())


def stored_copies_of_sensitive_versions() -> QuerySet[PublishedFile]:
    """The "staff" and "public" stored files of versions frozen OFFICIAL-SENSITIVE (``FROZEN_SENSITIVE``): copies for
    readers not cleared, of words that were published for the cleared only, stored by the rule before 2297154 (the
    copies followed the policy's marking when stored, not the version's). Nobody not cleared reads them now
    (``stored_copies_readable``); they are evidence, kept, and listed by ``manage.py stored_files_check`` for an
    administrator to see what was stored wrongly. By policy, version, publication, audience and rendition."""
    return (PublishedFile.objects
            .filter(frozen_sensitive(record="publication__policy_version__"),
                    audience__in=[PublishedFile.Audience.STAFF, PublishedFile.Audience.PUBLIC])
            .select_related("publication__policy__business_group", "publication__policy_version")
            .order_by("publication__policy__reference", "publication__policy_version__major",
                      "publication__policy_version__minor", "publication_id", "audience", "rendition"))


def scheme_publication(*, reference: str) -> Publication:
    publication = (scheme_publications().filter(policy__reference=reference)
                   .select_related("policy", "policy_version").order_by("-published_at").first())
    if publication is None:
        raise Http404("Not on the Publication Scheme.")
    return publication


def scheme_gone(*, reference: str) -> dict | None:
    """A policy that was on the Publication Scheme and is not now, as its page there says it (410): withdrawn (its
    title in force then, when, and the policy replacing it when that one is on the Scheme), or still in force but its
    version now in force not put on the Scheme (QA walk: the feed's entry for the version that had been there led to
    "Page not found"), by the title that version had there and the day it left. None for any other reference (never
    on the Scheme, or no such policy), and for a policy OFFICIAL-SENSITIVE now: those stay "not found", as the feed
    leaves them out. The reason for a withdrawal is the force's, not published (the feed says "no longer in
    force")."""
    was_on_scheme = Publication.objects.filter(policy=OuterRef("pk"), on_publication_scheme=True,
                                               status=Publication.Status.PUBLISHED)
    policy = (Policy.objects.filter(reference=reference, protective_marking=ProtectiveMarking.OFFICIAL)
              .filter(Exists(was_on_scheme))
              .only("reference", "title", "status", "status_changed_at").first())
    if policy is None:
        return None
    if policy.status != Status.WITHDRAWN:
        last_there = (Publication.objects.filter(policy=policy, on_publication_scheme=True,
                                                 status=Publication.Status.PUBLISHED)
                      .annotate(frozen_title=KeyTextTransform("title", "policy_version__details"))
                      .order_by("-published_at", "-pk").values("frozen_title", "superseded_at").first())
        return {"policy": policy, "withdrawn": False, "title": last_there["frozen_title"] or policy.title,
                "off_since": last_there["superseded_at"]}
    decision = policy.withdrawal_decisions.filter(carried_out_at__isnull=False).order_by("-carried_out_at").first()
    replacement = None
    if decision is not None and decision.replaced_by_id is not None:
        replacement = (Policy.objects.filter(ON_THE_SCHEME, pk=decision.replaced_by_id)
                       .filter(Exists(scheme_publications().filter(policy=OuterRef("pk"))))
                       .only("reference", "title").first())
    return {"policy": policy, "withdrawn": True, "title": policy.title, "withdrawn_at": policy.status_changed_at,
            "replacement": replacement}


def published_publication_of(*, version) -> Publication | None:
    """The publication under which ``version`` went live (the latest, if published more than once)."""
    if version is None:
        return None
    return (Publication.objects.filter(policy_version=version, status=Publication.Status.PUBLISHED)
            .select_related("policy", "policy_version").order_by("-published_at", "-pk").first())


def stored_file(*, publication: Publication, audience: str) -> PublishedFile | None:
    """The newest rendition of the audience's stored file (the earlier ones are kept as the record)."""
    return (PublishedFile.objects.filter(publication=publication, audience=audience)
            .select_related("publication__policy").order_by("-rendition").first())


def staff_audience(*, user, policy: Policy) -> str:
    """Which stored copy a member of staff gets: everything if cleared for the policy's OFFICIAL-SENSITIVE
    material (and the pack has any), else the OFFICIAL copy."""
    if user_may_see_sensitive(user=user, policy=policy) or policy.protective_marking != ProtectiveMarking.OFFICIAL:
        return PublishedFile.Audience.CLEARED
    return PublishedFile.Audience.STAFF


# --- Notices (issue 14): a dated bulletin of what was published, revised or withdrawn ------------------------------


def withholdable_sops(*, policy: Policy) -> list[dict]:
    """The externally published OFFICIAL SOPs of the version going to publication, each with its numbered parts
    and what is withheld (for PCU's page)."""
    version = policy.current_version
    if version is None:
        return []
    sop_versions = (SOPVersion.objects.filter(policy_version=version, publish_externally=True,
                                              sop__protective_marking=ProtectiveMarking.OFFICIAL)
                    .select_related("sop").prefetch_related("redactions").order_by("sop__position", "sop_id"))
    entries = []
    for sop_version in sop_versions:
        withheld = {redaction.block: redaction for redaction in sop_version.redactions.all()}
        entries.append({"sop_version": sop_version,
                        "rows": [(part, withheld.get(part.number)) for part in html_blocks(sop_version.text)]})
    return entries


# What became of a publication's files, newest last: stored, not stored after the task's last attempt, asked again.
FILES_EVENTS = (AuditAction.PUBLICATION_FILES_STORED, AuditAction.PUBLICATION_FILES_NOT_STORED,
                AuditAction.PUBLICATION_FILES_STORE_REQUESTED)


@dataclass(frozen=True)
class FilesNotStored:
    """A publication's files that could not be stored, as recorded after the task's last attempt
    (``publication.files_not_stored``), not stored nor asked for again since: ``reason`` in plain words, ``at``,
    ``attempts``, and ``rendition_reason`` when it was a rendering again of files already stored (the earlier ones
    are still served meanwhile)."""

    reason: str
    at: object
    attempts: int
    rendition_reason: str = ""


def files_not_stored(*, policy_ids) -> dict[int, FilesNotStored]:
    """The outstanding failures of the files of ``policy_ids``' publications, by publication id: where the newest
    files event of a publication is ``publication.files_not_stored``. One query, on the policies' timelines."""
    latest: dict[int, AuditEvent] = {}
    for event in (AuditEvent.objects.filter(policy_id__in=list(policy_ids), action__in=FILES_EVENTS)
                  .only("action", "changes", "occurred_at", "sequence").order_by("sequence")):
        publication_id = (event.changes or {}).get("publication")
        if isinstance(publication_id, int):
            latest[publication_id] = event
    return {publication_id: FilesNotStored(reason=event.changes.get("reason", ""), at=event.occurred_at,
                                           attempts=event.changes.get("attempts", 1),
                                           rendition_reason=event.changes.get("rendition_reason", ""))
            for publication_id, event in latest.items() if event.action == AuditAction.PUBLICATION_FILES_NOT_STORED}
