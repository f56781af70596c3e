"""The publication world: one policy per combination of the axes, each carrying unique words in each part, so
that what a reader sees can be told apart by text alone.

Axes (issue 14, "Tests"):
- marking: an OFFICIAL policy; an OFFICIAL policy with an OFFICIAL-SENSITIVE SOP; an OFFICIAL-SENSITIVE policy
  (never suitable for the Scheme);
- scheme: published on the Publication Scheme or not (the intranet and Notices always);
- stage: in development (a draft), awaiting publication, scheduled for a later date, published, under review (the
  published version in force while a new draft is written), withdrawn after publication;
- redaction: one part of the externally published SOP withheld under FOI section 31, or none (recorded before
  publication; so only for the stages that reach publication).

Under review, the draft's statement and its new purpose carry the ``reviewdraft`` word: unpublished text, which no
page, search, feed or file may show but to those working on the draft.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from django.utils import timezone

from lifecycle import services as lifecycle_services
from lifecycle.services.details import policy_update_details
from lifecycle.states import Status
from publication.services import policy_publish, publication_store_files, sop_redaction_record
from tests.factories import advance_to, fill_development, make_people, take_step

MARKINGS = ["official", "sensitive_sop", "sensitive_policy"]
STAGES = ["draft", "awaiting", "scheduled", "published", "under_review", "withdrawn"]
PUBLISHED_STAGES = {"published", "under_review", "withdrawn"}
IN_FORCE_STAGES = {"published", "under_review"}


@dataclass(frozen=True)
class Case:
    marking: str
    scheme: bool
    stage: str
    redacted: bool

    @property
    def key(self) -> str:
        return f"{self.marking}-{'scheme' if self.scheme else 'intranet'}-{self.stage}-" \
               f"{'redacted' if self.redacted else 'whole'}"

    def token(self, part: str) -> str:
        """A word that occurs only in that part of this case's policy."""
        return f"{part}{self.key.replace('-', '').replace('_', '')}".upper()

    @property
    def title(self) -> str:
        return f"Matrix policy {self.key}"

    # --- the oracle: what each reader should see, from the axes alone ---------------------------------------

    @property
    def public(self) -> bool:
        """On the Scheme: public marking, flagged, and in force."""
        return self.marking != "sensitive_policy" and self.scheme and self.stage in IN_FORCE_STAGES

    @property
    def withdrawn_from_scheme(self) -> bool:
        """Withdrawn after it was on the Scheme: its page there says so (410), with its title and nothing else."""
        return self.marking != "sensitive_policy" and self.scheme and self.stage == "withdrawn"

    @property
    def scheme_page_status(self) -> int:
        return 200 if self.public else 410 if self.withdrawn_from_scheme else 404

    @property
    def in_public_feed(self) -> bool:
        return self.marking != "sensitive_policy" and self.scheme and self.stage in PUBLISHED_STAGES

    def in_notices_for(self, viewer: str) -> bool:
        if self.stage not in PUBLISHED_STAGES:
            return False
        return viewer == "pcu" or self.marking != "sensitive_policy"

    @property
    def library_scope(self) -> str | None:
        """Where the library holds it: in force ("current"), in the archive once withdrawn, or nowhere (never
        published)."""
        if self.stage in IN_FORCE_STAGES:
            return "current"
        return "archive" if self.stage == "withdrawn" else None

    def in_library_for(self, viewer: str) -> bool:
        """Staff read every published OFFICIAL policy; an OFFICIAL-SENSITIVE one only the cleared (PCU)."""
        return self.library_scope is not None and (viewer == "pcu" or self.marking != "sensitive_policy")

    def staff_pdf_status(self, viewer: str) -> int:
        if viewer == "pcu":
            return 200  # PCU sees every policy, drafts included (prepared by the worker, then served)
        return 200 if self.stage in IN_FORCE_STAGES and self.marking != "sensitive_policy" else 404


def cases() -> list[Case]:
    found = []
    for marking, scheme, stage, redacted in itertools.product(MARKINGS, [True, False], STAGES, [False, True]):
        if marking == "sensitive_policy" and scheme:
            continue  # an OFFICIAL-SENSITIVE policy cannot be marked suitable for the Scheme
        if redacted and (stage not in {"published", "under_review"} or marking == "sensitive_policy"):
            continue  # withheld parts are recorded before publication, of a SOP the public may see
        found.append(Case(marking, scheme, stage, redacted))
    return found


@dataclass
class World:
    people: object
    policies: dict


def _build_one(case: Case, people):
    policy = people.policy(
        title=case.title,
        protective_marking="official_sensitive" if case.marking == "sensitive_policy" else "official",
        suitable_for_publication_scheme=case.marking != "sensitive_policy",
    )
    s = lifecycle_services
    s.sop_create(policy=policy, actor=people.developer, title=f"External procedure {case.key}",
                 text=f"<p>{case.token('extopen')} is public.</p><p>{case.token('extwithheld')} is a tactic.</p>",
                 publish_externally=case.marking != "sensitive_policy")
    s.sop_create(policy=policy, actor=people.developer, title=f"Internal procedure {case.key}",
                 text=f"<p>{case.token('internal')} for staff.</p>")
    if case.marking == "sensitive_sop":
        s.sop_create(policy=policy, actor=people.developer, title=f"Sensitive procedure {case.key}",
                     text=f"<p>{case.token('sensitive')} is restricted.</p>", protective_marking="official_sensitive")
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    s.draft_update(policy=policy, actor=people.developer, statement=f"<p>{case.token('statement')} applies.</p>")
    if case.stage == "draft":
        return policy
    fill_development(policy, people, omit={"statement_written"})
    take_step(policy, people, Status.SUBMITTED_FOR_QA)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    if case.redacted:
        external = policy.current_version.sop_versions.get(sop__title=f"External procedure {case.key}")
        sop_redaction_record(sop_version=external, actor=people.pcu, block=2, exemption="s31")
    if case.stage == "awaiting":
        return policy
    if case.stage == "scheduled":
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=case.scheme,
                       publish_on=timezone.localdate() + datetime.timedelta(days=30))
        return policy
    publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=case.scheme)
    publication_store_files(publication=publication)  # the task runs after commit; the world never commits
    if case.stage == "under_review":
        s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
        s.draft_update(policy=policy, actor=people.developer, statement=f"<p>{case.token('reviewdraft')}</p>")
        details = policy.details_snapshot()
        policy_update_details(policy=policy, actor=people.developer, expected_details=None,
                              **{**details, "purpose": f"{details['purpose']} {case.token('reviewdraft')}"})
    elif case.stage == "withdrawn":
        take_step(policy, people, "withdrawn", reason=f"Replaced {case.key}.")  # the Lead decides, PCU carries it out
    return policy


def build_world() -> World:
    people = make_people()
    return World(people=people, policies={case: _build_one(case, people) for case in cases()})
