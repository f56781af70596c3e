"""The policy register's search, filters and sort (django-filter), applied to the permission-filtered
queryset from lifecycle.selectors.

Build it with the request (``PolicyRegisterFilter(request.GET, queryset=..., request=request)``): the search
reads the statements of the versions ``request.user`` may read. Without a request it searches the published
versions only."""


import django_filters
from django import forms
from django.db.models import Q

from core.models import BusinessGroup, RiskTier
from lifecycle.deadlines import STUCK_STAGES, stuck
from lifecycle.due import (
    MONITORING,
    REVIEW,
    DueStatus,
    Rag,
    emergency_eia_awaiting,
    emergency_eia_overdue,
    orphaned,
    rag_condition,
)
from lifecycle.models import Policy
from lifecycle.selectors import policy_detail_shown, policy_statement_search
from lifecycle.states import ProtectiveMarking, Stage, statuses_in_stage


class ReviewStatus:
    IN_DATE = DueStatus.IN_DATE.value
    DUE_SOON = DueStatus.DUE_SOON.value
    OVERDUE = DueStatus.OVERDUE.value
    CHOICES = [(IN_DATE, "In date"), (DUE_SOON, "Review due within 6 months"), (OVERDUE, "Review overdue")]


class MonitoringStatus:
    CHOICES = [(DueStatus.IN_DATE.value, "In date"), (DueStatus.DUE_SOON.value, "Report due within a month"),
               (DueStatus.OVERDUE.value, "Report overdue")]


class EmergencyEIA:
    AWAITING = "awaiting"
    OVERDUE = "overdue"
    CHOICES = [(AWAITING, "Awaiting its impact assessment"), (OVERDUE, "Impact assessment overdue")]


# The longest search the register makes (rule 19): a longer one is said to be too long, not cut short unseen.
MAX_SEARCH_LENGTH = 200

# What each filter says of a value it cannot take (an edited or old URL, a business group since closed): the error
# summary links each to its field, and the valid filters still apply (register_views.register_filters).
FILTER_ERRORS = {
    "q": {"max_length": f"Search for {MAX_SEARCH_LENGTH} characters or fewer"},
    "business_group": {"invalid_choice": "Choose a business group from the list"},
    "stage": {"invalid_choice": "Choose a stage from the list"},
    "risk_tier": {"invalid_choice": "Choose a risk tier from the list"},
    "protective_marking": {"invalid_choice": "Choose a protective marking from the list"},
    "review_status": {"invalid_choice": "Choose a review status from the list"},
    "monitoring_status": {"invalid_choice": "Choose a monitoring report status from the list"},
    "stuck": {"invalid_choice": "Choose a stage to find policies stuck in from the list"},
    "emergency_eia": {"invalid_choice": "Choose an emergency approval status from the list"},
    "orphaned": {"invalid_choice": "Choose whether a leaver is still named from the list"},
    "rag": {"invalid_choice": "Choose red, amber or green from the list"},
    "sort": {"invalid_choice": "Choose how to sort from the list"},
}


class PolicyRegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search", max_length=MAX_SEARCH_LENGTH)
    business_group = django_filters.ModelChoiceFilter(
        queryset=BusinessGroup.objects.filter(is_active=True), empty_label="All business groups"
    )
    stage = django_filters.ChoiceFilter(label="Stage", choices=Stage.choices, method="filter_stage",
                                        empty_label="All stages")
    risk_tier = django_filters.ChoiceFilter(choices=RiskTier.choices, method="filter_risk_tier",
                                            empty_label="All risk tiers")
    protective_marking = django_filters.ChoiceFilter(choices=ProtectiveMarking.choices, empty_label="All markings")
    review_status = django_filters.ChoiceFilter(
        label="Review status", choices=ReviewStatus.CHOICES, method="filter_review", empty_label="Any review status"
    )
    # Oversight (issue 15): each figure of the dashboard is the register with one of these, shareable by URL.
    monitoring_status = django_filters.ChoiceFilter(
        label="Monitoring report", choices=MonitoringStatus.CHOICES, method="filter_monitoring",
        empty_label="Any monitoring status",
    )
    stuck = django_filters.ChoiceFilter(
        label="Stuck past the threshold", choices=[(stage.key, stage.label) for stage in STUCK_STAGES],
        method="filter_stuck", empty_label="Any (or not stuck)",
    )
    emergency_eia = django_filters.ChoiceFilter(
        label="Emergency approval", choices=EmergencyEIA.CHOICES, method="filter_emergency_eia",
        empty_label="Any",
    )
    orphaned = django_filters.ChoiceFilter(
        label="Leaver named", choices=[("yes", "A leaver is still named on it")], method="filter_orphaned",
        empty_label="Any",
    )
    rag = django_filters.ChoiceFilter(label="Red, amber, green", choices=Rag.choices, method="filter_rag",
                                      empty_label="Any colour")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("reference", "reference"), ("title", "title"), ("review_due_on", "review_due_on"),
                ("updated_at", "updated_at")),
        field_labels={"reference": "Reference", "title": "Title", "review_due_on": "Review date",
                      "updated_at": "Last changed"},
        empty_label="Reference",
    )

    class Meta:
        model = Policy
        # Also the order of the form: search first, then where the policy sits, then how to sort.
        fields = ["q", "business_group", "stage", "risk_tier", "protective_marking", "review_status",
                  "monitoring_status", "stuck", "emergency_eia", "orphaned", "rag", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
            field.error_messages.update(FILTER_ERRORS[name])

    def validate(self) -> bool:
        """Check the filters, as ``is_valid``, and mark each field in error as GOV.UK's pattern has it (its
        input or select outlined, described by its message): the filter fields' template then shows the message
        beside it, with what was typed kept."""
        valid = self.is_valid()
        for name in self.form.errors:
            widget = self.form.fields[name].widget
            outlined = "govuk-select--error" if isinstance(widget, forms.Select) else "govuk-input--error"
            widget.attrs["class"] += f" {outlined}"
            widget.attrs["aria-describedby"] = f"{self.form[name].auto_id}-error"
        return valid

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Only the statements of the versions the user may read (issue 11, finding 5): an EXISTS per policy,
        # so no join on the versions and no DISTINCT. The purpose too: the draft's only to those who see the drafts
        # (security probe F5). The title is the one in force (a review's new one is Policy.proposed_title).
        user = self._user
        return queryset.alias(purpose_shown=policy_detail_shown(user=user, name="purpose")).filter(
            Q(title__icontains=value) | Q(reference__icontains=value) | Q(purpose_shown__icontains=value)
            | policy_statement_search(user=user, text=value)
        )

    def filter_risk_tier(self, queryset, name, value):
        # The risk tier of the version the user reads (security probe F5): a review's draft re-tiered only to those
        # who see the drafts, as on the policy's overview.
        return (queryset.alias(risk_tier_shown=policy_detail_shown(user=self._user, name="risk_tier"))
                .filter(risk_tier_shown=value))

    @property
    def _user(self):
        """Whose register it is: the request's user; None without a request (the published versions only)."""
        return getattr(self.request, "user", None)

    def filter_stage(self, queryset, name, value):
        # The stage shown on the overview and in the export (lifecycle.states.STAGE_OF): "5. Implementation" finds a
        # policy approved or with PCU for publication.
        return queryset.filter(status__in=statuses_in_stage(value))

    def filter_review(self, queryset, name, value):
        # lifecycle.due: a review past its date stays overdue until the reviewed version is published, whatever
        # stage the review has reached (issue 13).
        if value in DueStatus.values:
            return queryset.filter(REVIEW.condition(value))
        return queryset

    # lifecycle.due holds each rule below; the dashboard counts with the same conditions.

    def filter_monitoring(self, queryset, name, value):
        if value in DueStatus.values:
            return queryset.filter(MONITORING.condition(value))
        return queryset

    def filter_stuck(self, queryset, name, value):
        return queryset.filter(stuck(value)) if value else queryset

    def filter_emergency_eia(self, queryset, name, value):
        if value == EmergencyEIA.OVERDUE:
            return queryset.filter(emergency_eia_overdue())
        if value == EmergencyEIA.AWAITING:
            return queryset.filter(emergency_eia_awaiting())
        return queryset

    def filter_orphaned(self, queryset, name, value):
        return queryset.filter(orphaned()) if value == "yes" else queryset

    def filter_rag(self, queryset, name, value):
        return queryset.filter(rag_condition(value)) if value in Rag.values else queryset
