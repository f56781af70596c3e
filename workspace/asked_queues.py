"""My work's requests of the person: the advice developers asked of their team (and SHRMT's consultations), and the
policies PCU asked them to confirm they have read."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.text import Truncator

from acknowledgements.selectors import outstanding_rows
from core.models import Role
from core.templatetags.cached_urls import cached_reverser
from lifecycle.models import AdviceComment, AdviceInvitation, ConsultationRecord, ConsulteeType, PolicyVersion
from lifecycle.selectors import advice_teams
from lifecycle.states import DRAFT_EDITABLE_STATUSES
from workspace.queues import QUEUE_SHOWN


def advice_queues(user, roles) -> list[dict]:
    """Issue 12: the drafts whose developers asked this person's team (DCFD, DOI, SHRMT) for advice, not yet given; and
    for SHRMT, the consultations awaiting its response (SOP stage 3: "always the Safety and Health Risk Management
    Team"). Each links to where the advice or response is recorded. One query each (the second only for SHRMT): an
    invitation was otherwise seen only as a notification."""
    teams = advice_teams(roles)
    if not teams:
        # A colleague invited by name is told by a notification, and sees the draft through the grant it gives.
        return []
    # Open for the cycle being drafted (its draft not yet submitted), as the team's sight of the draft is
    # (lifecycle.selectors.open_team_invitation_policy_ids).
    drafting = PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                            submitted_at__isnull=True)
    asked = (AdviceInvitation.objects
             .filter(team__in=teams, withdrawn_at__isnull=True)
             .filter(Exists(drafting))
             .exclude(Exists(AdviceComment.objects.filter(invitation=OuterRef("pk"))))
             .order_by("invited_at", "pk")
             .values_list("policy__reference", "policy__title", "cycle", "policy_id", "note")[:QUEUE_SHOWN + 1])
    advice_url = cached_reverser("lifecycle:advice", 1)
    queues = [{"title": "Advice asked of you", "hint": "Developers invited your team to comment on a draft.",
               "shown_first": "asked longest ago", "entries": [
                   {"url": advice_url(reference), "label": f"{reference} {title}"
                    + (f": {Truncator(note).chars(80)}" if note else ""), "state": None, "due_label": ""}
                   for reference, title, _, _, note in asked]}] if asked else []
    if Role.SHRMT in teams:
        # Only the cycle being drafted's, the one whose response may still be recorded (lifecycle.permissions
        # .may_respond_to_consultation): not an earlier cycle's, nor a withdrawn review draft's (its versions kept,
        # marked withdrawn: lifecycle.services.review_draft), whose draft no one will work on again.
        drafted = PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                               submitted_at__isnull=True, withdrawn_at__isnull=True)
        awaiting = (ConsultationRecord.objects
                    .filter(consultee_type=ConsulteeType.SHRMT, response="", policy__status__in=DRAFT_EDITABLE_STATUSES)
                    .filter(Exists(drafted))
                    .order_by("date_sent", "pk")
                    .values_list("pk", "policy__reference", "policy__title", "date_sent")[:QUEUE_SHOWN + 1])
        response_url = cached_reverser("lifecycle:consultation_response", 2)
        if awaiting:
            queues.append({"title": "Consultations to answer", "hint": "Drafts sent to SHRMT for its advice.",
                           "shown_first": "sent longest ago", "entries": [
                               {"url": response_url(reference, pk), "label": f"{reference} {title}: sent "
                                f"{sent:%-d %B %Y}", "state": None, "due_label": ""}
                               for pk, reference, title, sent in awaiting]})
    return queues


def acknowledgement_queues(user) -> list[dict]:
    """Issue 14: the policies this person is asked to confirm they have read (everyone, roles or none)."""
    outstanding = outstanding_rows(user=user, limit=QUEUE_SHOWN + 1)
    if not outstanding:
        return []
    return [{"title": "Policies to read and confirm", "hint": "PCU asked you to confirm you have read these.",
             "acknowledgements": outstanding, "shown_first": "asked longest ago"}]
