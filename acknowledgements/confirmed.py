"""A person's own confirmations, as they may be shown to them now (/acknowledgements/ and their CSV).

A confirmation is evidence and is kept for ever: its reference, version, date and content hash are always listed.
What it names of the policy is the title of the version confirmed (its details), not the policy's title as it
stands: a review may retitle a policy, and re-mark it OFFICIAL-SENSITIVE, after someone confirmed an OFFICIAL version
(review 4: a Territorial Policing reader's list showed "Covert stop and search tactics", the title of a version they
were not cleared to read, while the policy answered them 404). Even that title is shown only while the person may
read that version in the library now, by the rules already written, not restated here:

- the version's own frozen marking (``lifecycle.selectors.frozen_marking_readable``): one published
  OFFICIAL-SENSITIVE stays so, whatever its policy is marked now;
- the library's rule for the policy (``library.selectors.library_visibility``, asked by
  ``lifecycle.signals.library_readable_requested``: the library builds on this app): a re-marking up takes effect at
  once on every version, and a local work instruction is read by its business group's staff.

Otherwise the row says that its title is not shown, and is not a link (the library would answer 404).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import BooleanField, Case, QuerySet, Value, When

from acknowledgements.models import Acknowledgement
from lifecycle.models import Policy
from lifecycle.selectors import frozen_marking_readable
from lifecycle.signals import library_readable_requested

TITLE_NOT_SHOWN = "Title not shown: you may not read this version now"
# Confirmations read at a time for the CSV: one query for them, one for the library's answer.
EXPORT_CHUNK = 2000


def completed_for(*, user) -> QuerySet[Acknowledgement]:
    """``user``'s confirmations, newest first, each annotated ``frozen_readable``: whether the marking its version was
    frozen with lets ``user`` read it (``frozen_marking_readable``). Give a page of them to ``titles_shown``."""
    readable = frozen_marking_readable(user, record="policy_version__")
    frozen_readable = (Case(When(readable, then=Value(True)), default=Value(False), output_field=BooleanField())
                       if readable else Value(True, output_field=BooleanField()))
    return (Acknowledgement.objects.filter(user_id=user.pk).select_related("policy", "policy_version")
            .defer("policy_version__statement").annotate(frozen_readable=frozen_readable)
            .order_by("-acknowledged_at", "-pk"))


def titles_shown(acknowledgements: Iterable[Acknowledgement], *, user) -> list[Acknowledgement]:
    """``acknowledgements`` (of ``completed_for``), each given ``readable`` (whether ``user`` may read the version
    confirmed in the library now) and ``title_shown`` (that version's title, or TITLE_NOT_SHOWN). One query, for the
    library's answer, whatever their number; none when no version's own marking lets ``user`` read it."""
    rows = list(acknowledgements)
    candidates = {row.policy_id for row in rows if row.frozen_readable}
    in_library = set().union(*(found or set() for _, found in library_readable_requested.send(
        sender=Policy, user=user, policy_ids=candidates))) if candidates else set()
    for row in rows:
        row.readable = row.frozen_readable and row.policy_id in in_library
        row.title_shown = row.policy_version.details_read["title"] if row.readable else TITLE_NOT_SHOWN
    return rows


def confirmed_export_rows(*, user) -> Iterator[list]:
    """``user``'s own confirmations as rows of the acknowledgements CSV (acknowledgements.selectors.export_rows),
    read EXPORT_CHUNK at a time, never held whole."""
    confirmations = completed_for(user=user).iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(confirmations, EXPORT_CHUNK)):
        for row in titles_shown(chunk, user=user):
            yield [row.policy.reference, row.title_shown, row.policy_version.number, user.username,
                   user.get_full_name(), str(user.unit or ""), "confirmed", row.acknowledged_at.isoformat(),
                   row.content_hash]
