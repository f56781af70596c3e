"""Published policies for the library's and the acknowledgements' tests, made through the real services."""

from __future__ import annotations

from core.models import User
from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import UserFactory, advance_to, fill_development, what_was_read


def published(people, *, title: str, sop_text: str = "<p>Record the decision.</p>", sop_title: str = "Procedure",
              statement: str | None = None, marking: str = ProtectiveMarking.OFFICIAL,
              sop_marking: str = ProtectiveMarking.OFFICIAL, audience: dict | None = None, on_intranet: bool = True,
              in_notices: bool = True, **overrides) -> Policy:
    """A Territorial Policing policy with one SOP, published by PCU (with ``audience`` asked to acknowledge it)."""
    extra = {"suitable_for_publication_scheme": False} if marking != ProtectiveMarking.OFFICIAL else {}
    policy = people.policy(title=title, protective_marking=marking, **extra, **overrides)
    s.sop_create(policy=policy, actor=people.developer, title=sop_title, text=sop_text, protective_marking=sop_marking)
    policy = submitted_with(policy, people, statement=statement)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_intranet=on_intranet, in_notices=in_notices,
                   asked_to_acknowledge=audience, **what_was_read(policy))
    return Policy.objects.get(pk=policy.pk)


def submitted_with(policy, people, *, statement: str | None, summary_of_changes: str | None = None) -> Policy:
    """Drive ``policy`` (in scoping or development) to submitted for QA with this statement (the factories' fillers
    write their own)."""
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    fill_development(policy, people)
    if statement is not None or summary_of_changes is not None:
        current = Policy.objects.get(pk=policy.pk).current_version
        s.draft_update(policy=policy, actor=people.developer, statement=statement or current.statement,
                       summary_of_changes=summary_of_changes)
    s.policy_submit_for_qa(policy=Policy.objects.get(pk=policy.pk), actor=people.developer)
    return Policy.objects.get(pk=policy.pk)


def staff(username: str, unit, **fields) -> User:
    """A member of staff with no role in the policy cycle, working in ``unit``."""
    return UserFactory(username=username, unit=unit, **fields)
