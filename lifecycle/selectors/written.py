"""What a review wrote while its policy was OFFICIAL-SENSITIVE (security review of 2026-12-06): a version drafted while
the version in force was frozen OFFICIAL-SENSITIVE, its interim revisions, and its cycle's consultation and advice stay
OFFICIAL-SENSITIVE once a review publishes the policy OFFICIAL. The frozen markings themselves are
lifecycle.selectors.visibility's (``frozen_sensitive``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from lifecycle.models import DraftRevision, PolicyVersion
from lifecycle.selectors.visibility import frozen_sensitive
from lifecycle.states import ProtectiveMarking


def in_force_before_sensitive(*, version: str = "") -> Q:
    """The Q of a version drafted while the version in force was frozen OFFICIAL-SENSITIVE: the last version published
    before it (by number; ``version`` leads from the query's model to the version). A review's downgrade to OFFICIAL
    takes effect only when its version is published (lifecycle.services.details), so until then the policy, and
    everything written in the review, is OFFICIAL-SENSITIVE."""
    earlier = (Q(major__lt=OuterRef(f"{version}major"))
               | Q(major=OuterRef(f"{version}major"), minor__lt=OuterRef(f"{version}minor")))
    in_force = (PolicyVersion.objects.filter(earlier, policy_id=OuterRef(f"{version}policy_id"),
                                             publications__status="published")
                .order_by("-major", "-minor").values(marking=KeyTextTransform("protective_marking", "details"))[:1])
    return Q(Exact(Coalesce(Subquery(in_force), Value(""), output_field=TextField()),
                   Value(ProtectiveMarking.OFFICIAL_SENSITIVE, output_field=TextField())))


def written_sensitive(*, version: str = "") -> Q:
    """The Q of a version whose drafts were written while its policy was OFFICIAL-SENSITIVE: frozen so itself
    (``frozen_sensitive``), or drafted while the version in force was (``in_force_before_sensitive``). A review that
    re-marks its policy OFFICIAL is drafted under the OFFICIAL-SENSITIVE marking in force: its version is frozen
    OFFICIAL, but its interim revisions (the first carried forward from the version in force) and its cycle's
    consultation and advice were written on OFFICIAL-SENSITIVE material (security review of 2026-12-06, HIGH)."""
    return frozen_sensitive(record=version) | in_force_before_sensitive(version=version)


# A version written while its policy was OFFICIAL-SENSITIVE (``written_sensitive``), read from PolicyVersion.
WRITTEN_SENSITIVE = written_sensitive()


def cycle_frozen_sensitive(*, policy: str = "policy_id", cycle: str = "cycle") -> Exists:
    """Whether a record of one of a policy's review cycles (a consultation, an invitation to advise: ``cycle``, the
    major number of the versions drafted in it; ``policy``, its policy's id) is of a cycle written while the policy
    was OFFICIAL-SENSITIVE (``WRITTEN_SENSITIVE``: a version of it frozen so, published or withdrawn while the policy
    was, or drafted while the version in force was). Such a cycle's records were written while only those cleared
    could read the policy, and stay theirs once a review publishes it OFFICIAL, as its versions and their events do
    (review of 2026-12-06, HIGH: the consultation log and the advice page showed every cycle's to anyone who sees the
    drafts; security review of 2026-12-06, MEDIUM: the cycle of the review that downgraded the policy too)."""
    return Exists(PolicyVersion.objects.filter(WRITTEN_SENSITIVE, policy_id=OuterRef(policy), major=OuterRef(cycle)))


def readable_revisions(revisions: QuerySet[DraftRevision]) -> QuerySet[DraftRevision]:
    """``revisions`` a reader not cleared for their policy's OFFICIAL-SENSITIVE material may read: not of an
    OFFICIAL-SENSITIVE SOP (as ``sop_versions_for``), nor of a version written while the policy was OFFICIAL-SENSITIVE
    (``written_sensitive``: the review that downgraded it to OFFICIAL saved its first revisions with the words it
    then took out, its starting point carried forward from the version in force; security review of 2026-12-06,
    HIGH)."""
    return (revisions.exclude(sop__protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
            .exclude(written_sensitive(version="policy_version__")))
