"""The forms of advice on a draft (issue 12): inviting an adviser, withdrawing the invitation, commenting, and taking
back access given by name to someone who cannot open the draft."""

from django import forms

from core import submissions
from core.forms import GovUKForm
from core.models import User
from lifecycle.states import AdviceTeam


class AdviceInviteForm(submissions.OneTimeSubmissionForm):
    """Invite a team, or a colleague by username, to see and comment on the draft (issue 12)."""

    submission_purpose = submissions.ADVICE_INVITE

    COLLEAGUE = "colleague"
    who = forms.ChoiceField(
        label="Who would you like advice from?", widget=forms.RadioSelect,
        choices=[(team.value, team.label) for team in AdviceTeam] + [(COLLEAGUE, "A named colleague")],
        error_messages={"required": "Choose who you would like advice from"})
    username = forms.CharField(label="The colleague's username", required=False, max_length=150,
                               help_text="Only if you chose a named colleague.")
    note = forms.CharField(label="What would you like advice on? (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000)

    def clean(self):
        data = super().clean()
        data["team"], data["invitee"] = "", None
        if data.get("who") == self.COLLEAGUE:
            username = (data.get("username") or "").strip()
            if not username:
                # One error, the true one: a username refused as too long is typed, not missing (QA10 item 13).
                self.require("username", "Enter the colleague's username")
            else:
                invitee = User.objects.filter(username=username, is_active=True).first()
                if invitee is None:
                    self.add_error("username", "No active colleague has that username")
                data["invitee"] = invitee
        elif data.get("who"):
            data["team"] = data["who"]
        return data

    def add_application_error(self, error) -> None:
        """The service's refusals of the invitee (not cleared, already invited ...) shown on the username typed."""
        if error.field == "invitee":
            self.add_error("username", error.message)
        else:
            super().add_application_error(error)


class AdviceWithdrawForm(GovUKForm):
    invitation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=5_000)


class AdviceTakeBackForm(GovUKForm):
    """Take back one grant (``lifecycle.services.access.policy_revoke_access``) the page lists: its holder cannot
    open the draft (``lifecycle.selectors.advice``)."""

    grantee = forms.IntegerField(widget=forms.HiddenInput)
    permission = forms.CharField(widget=forms.HiddenInput, max_length=100)


class AdviceCommentForm(submissions.OneTimeSubmissionForm):
    submission_purpose = submissions.ADVICE_COMMENT
    invitation = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label="Your advice", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000,
                           error_messages={"required": "Enter your advice"})
