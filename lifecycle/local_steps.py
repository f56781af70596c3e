"""Local work instructions' route (issue 13), one declaration per step: approved within the business group,
without PCU, after the prior agreement of the corporate policy's Lead when one supplements it. The SOP puts them
outside the corporate process, so their steps stand apart from it; they join the one cycle in
``lifecycle.workflow.STEPS``, which everything reads."""

from __future__ import annotations

from core.events import AuditAction
from lifecycle import forms, gates
from lifecycle.states import DRAFT_EDITABLE_STATUSES, Duty, PolicyKind, Status
from lifecycle.steps import Page, Step

_DRAFTED = tuple(sorted(DRAFT_EDITABLE_STATUSES))
_LOCAL = (PolicyKind.LOCAL,)

LOCAL_DOC = (
    "SOP, \"Local Work Instructions\": they \"sit outside of the corporate policy development process\" and \"are not "
    "the responsibility of the Policy Co-ordination Unit\"; they \"must not be produced to supplement, or as an "
    "alternative to Corporate Policy, unless there is prior agreement with the corporate lead\", and those who write "
    "them \"are still required to complete an Equality Impact Assessment\"."
)
AGREE_LOCAL_SUPPLEMENT = Step(
    done="Agreed by the Designated Lead of the corporate policy it supplements",
    taken_by="the Designated Lead of the corporate policy it supplements",
    kinds=_LOCAL,
    name="agree_local_supplement", source=_DRAFTED, target=None,
    permission="lifecycle.agree_local_supplement", label="agree to the local work instruction",
    who="the Designated Lead of the corporate policy it supplements", audit=AuditAction.LOCAL_INSTRUCTION_AGREED,
    # Only on one that supplements a corporate policy: the permission asks for that policy's Lead.
    doc=LOCAL_DOC, gates=(gates.statement_written, gates.corporate_lead_not_yet_agreed),
    page=Page(
        slug="agree-local-instruction", title="Agree to the local work instruction", form=forms.CommentsForm,
        button="Agree to it", shows_version=True,
        success="Your agreement is recorded: its business group's Designated Lead may now approve it.",
        explanation="This local work instruction supplements a corporate policy you are the Designated Lead of, which "
        "the SOP allows only with your prior agreement. You agree to the draft as it stands now: if it changes, you "
        "are asked again.",
    ),
    notify=("authors", "lead"), notice="The corporate policy's Lead agreed to the local work instruction",
    then="approve_local",
)
APPROVE_LOCAL = Step(
    done="Approved within its business group and published on the intranet for it",
    taken_by="the Designated Lead of its business group",
    kinds=_LOCAL,
    name="approve_local", source=_DRAFTED, target=Status.IMPLEMENTATION,
    permission="lifecycle.approve_local", label="approve the local work instruction", duty=Duty.APPROVER,
    who="the Designated Lead of its business group it names", audit=AuditAction.LOCAL_INSTRUCTION_APPROVED,
    doc=LOCAL_DOC, gates=(gates.statement_written, gates.local_eia_complete, gates.corporate_lead_agreed),
    page=Page(
        slug="approve-local-instruction", title="Approve the local work instruction", form=forms.CommentsForm,
        button="Approve", shows_version=True,
        success="Approved: it is in force, on the Corporate Policy Intranet for its business group. It never goes on "
        "the Publication Scheme.",
        explanation="A local work instruction is approved within its business group, without the Policy "
        "Co-ordination Unit's quality assurance or publication. Once you approve it, this version is frozen and "
        "published in the intranet library for its business group; it never goes on the public Publication Scheme.",
    ),
    notify=("authors", "coordinator"), notice="Local work instruction approved and in force",
)
