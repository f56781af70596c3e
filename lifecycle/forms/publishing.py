"""The publication steps' forms (lifecycle.workflow declares which step shows which): where PCU publishes an approved
version, and whom it asks to confirm they have read it (issue 14); where a version in force is re-published after a
review that concluded no change. The channels are one question (a fieldset and its legend), and the Publication
Scheme is offered as the rule publication.services refuses it by says (lifecycle.details.kept_off_the_scheme)."""

from functools import cached_property, partial

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from core.forms import DateField
from core.models import BusinessGroup, Role, Unit
from core.text import in_words
from lifecycle.details import kept_off_the_scheme
from lifecycle.forms.steps import StepForm
from lifecycle.states import SCHEME_PUBLICATION, ProtectiveMarking


class CheckboxesByGroup(forms.CheckboxSelectMultiple):
    """Checkboxes under a heading for each group of choices (Django's grouped choices: ``[(group, [(value, label),
    ...]), ...]``), each group a fieldset whose legend is the group's name, all of them one field posting its values
    as any checkboxes do. Plain HTML: no JavaScript. The question they answer (the field's label, hint and error) is
    drawn round them by templates/includes/field.html, as GOV.UK's fieldset and legend."""

    template_name = "lifecycle/widgets/checkboxes_by_group.html"


def units_by_business_group() -> list[tuple[str, list[tuple[int, str]]]]:
    """The active units, under their business group's name: the groups alphabetical, the units alphabetical within
    each (as a reader looks for them, whatever the case they were typed in). One query."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for unit in (Unit.objects.filter(is_active=True).select_related("business_group")
                 .order_by(Lower("business_group__name"), "business_group_id", Lower("name"), "pk")):
        grouped.setdefault(unit.business_group.name, []).append((unit.pk, unit.name))
    return list(grouped.items())


class ActiveChoices(forms.ModelMultipleChoiceField):
    """Checkboxes of active rows (units, business groups: ``is_active``). One deactivated since the page was drawn is
    refused by name and the rest of the choice stays ticked (the page is drawn again from what was posted), instead of
    Django's "Select a valid choice. 4 is not one of the available choices.", which named an id and left the reader
    to find which box had gone. A value that was never a choice (a hand-made post) is refused as not on the list. The
    names are read only on a refusal: one query, of at most the values posted."""

    NAMED = 3  # named in the message; any more are counted

    def __init__(self, *args, plural: str, **kwargs):
        self.plural = plural
        not_listed = f"Choose the {plural} from the list"
        kwargs["error_messages"] = {"invalid_choice": not_listed, "invalid_pk_value": not_listed,
                                    "invalid_list": not_listed, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            not_listed = error
        # Every value is a well-formed id here (the checks before raise ``invalid_pk_value``); one or more is not
        # among the active rows.
        names = list(self.queryset.model._default_manager.filter(pk__in=set(value), is_active=False)
                     .order_by(Lower("name"), "pk").values_list("name", flat=True))
        if not names:
            raise not_listed
        raise ValidationError(self.no_longer_active(names), code="no_longer_active")

    def no_longer_active(self, names: list[str]) -> str:
        shown = names[:self.NAMED]
        if len(names) > self.NAMED:
            shown.append(f"{len(names) - self.NAMED} more")
        listed = in_words(shown)
        if len(names) == 1:
            return (f"{listed} is no longer active, so its staff cannot be asked: it is no longer listed. "
                    f"Check the {self.plural} chosen")
        return (f"{listed} are no longer active, so their staff cannot be asked: they are no longer listed. "
                f"Check the {self.plural} chosen")


def _suitable_for_the_scheme(policy) -> bool:
    version = policy.current_version
    details = version.details_read if version is not None else policy.details_snapshot()
    return details["suitable_for_publication_scheme"] and details["protective_marking"] == ProtectiveMarking.OFFICIAL


class PublishForm(StepForm):
    # The channels are one question (a fieldset with its legend), not three unrelated checkboxes.
    checkbox_question = "Where should it be published?"
    checkbox_hint = "Choose at least one."
    checkbox_fields = ("on_intranet", "in_notices", "on_publication_scheme")

    on_intranet = forms.BooleanField(label="Corporate Policy Intranet", required=False, initial=True)
    in_notices = forms.BooleanField(label="Notices", required=False, initial=True)
    on_publication_scheme = forms.BooleanField(
        label="MPS Publication Scheme (public)", required=False,
        help_text="Only for policies that are suitable for the Publication Scheme and not OFFICIAL-SENSITIVE.",
    )
    # publication.services refuses a date more than 2 years ahead; the form says so first.
    publish_on = DateField(
        label="Publish on", named="The publication date", required=False, earliest=timezone.localdate,
        latest=lambda: timezone.localdate() + relativedelta(years=2),
        help_text="Leave empty to publish now, or choose a date within 2 years to coincide with the implementation "
        "plan.",
    )

    # Read and acknowledge (issue 14): the staff this version is relevant to, asked to confirm they have read it
    # once it is in force (acknowledgements.services.acknowledgement_audience_record, called by the publish step).
    # A unit or group deactivated while the page is open is refused by name (ActiveChoices).
    audience_business_groups = ActiveChoices(
        label="Ask the staff of these business groups to confirm they have read it", required=False,
        queryset=BusinessGroup.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple,
        plural="business groups",
    )
    audience_units = ActiveChoices(
        label="Ask the staff of these units", required=False, widget=CheckboxesByGroup, plural="units",
        queryset=Unit.objects.filter(is_active=True).select_related("business_group"),
    )
    audience_roles = forms.MultipleChoiceField(
        label="Ask everyone holding these roles", required=False, choices=Role.choices,
        widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": "Choose the roles from the list"},
    )
    ask_again = forms.BooleanField(
        label="Ask again even if they confirmed an earlier version of this major version", required=False,
        help_text="A new major version always asks again; a minor one asks again only if you say so.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A force has hundreds of units: shown under their business group, found where they belong. Read when the page
        # is drawn (a callable), not when a post is checked, which asks the queryset as before.
        units = self.fields["audience_units"]
        units.choices = units_by_business_group
        # SOP, stage 5: PCU publishes "on the MPS Publication Scheme" what is suitable for it: ticked at first when the
        # details of the version to publish say so (nothing adds the Scheme to a version once published). Those it was
        # frozen with: a review's downgrade to OFFICIAL is its version's, the policy staying OFFICIAL-SENSITIVE until
        # it is published. Read when the page is drawn (a callable), from the version the page has read by then.
        if self.policy is not None:
            self.fields["on_publication_scheme"].initial = partial(_suitable_for_the_scheme, self.policy)
            # A review's version published without the Scheme takes the version in force off it (QA walk: PCU
            # unticked the box and nothing said so; the public's page then answered that it had gone).
            if self.policy.pk and self.policy.publications.filter(**SCHEME_PUBLICATION).exists():
                field = self.fields["on_publication_scheme"]
                field.help_text = (f"{field.help_text} The version in force is on the Publication Scheme now: "
                                   "if this version is not put there, that one comes off it when this one is "
                                   "published.")

    # The page shows what the public copy withholds (``withheld_shown``) and posts ``withheld_hash`` of what it
    # showed; policy_publish refuses it, under the policy's lock, if the parts withheld have changed since (integrity
    # review of 2026-12-06: another PCU member released a part after the publisher had read the page). Read when the
    # page is drawn, after any refusal: a page shown again shows, and is bound to, the parts as they are then.
    binds_withheld = True

    @property
    def _version(self):
        return self.policy.current_version if self.policy is not None else None

    @cached_property
    def withheld_shown(self) -> list:
        return self._version.withheld_parts() if self._version is not None else []

    @cached_property
    def withheld_applies(self) -> bool:
        """Whether the version has a SOP published externally, whose public copy could withhold a part."""
        return bool(self.withheld_shown) or (self._version is not None
                                             and self._version.sop_versions.filter(publish_externally=True).exists())

    @property
    def withheld_hash(self) -> str:
        return self._version.withheld_hash_of(self.withheld_shown) if self._version is not None else ""

    def clean(self):
        data = super().clean()
        if not (data.get("on_intranet") or data.get("in_notices") or data.get("on_publication_scheme")):
            self.add_error("on_intranet", "Choose at least one channel")
        # What the page showed withheld, as posted ("" when it showed nothing withheld, or posted nothing): the
        # service compares it with the parts withheld now.
        posted = self.data.get("withheld_hash", "")
        data["withheld_hash"] = posted[:64] if isinstance(posted, str) else ""
        # The service takes whom to ask as one argument.
        data["asked_to_acknowledge"] = {"business_groups": list(data.pop("audience_business_groups", None) or ()),
                            "units": list(data.pop("audience_units", None) or ()),
                            "roles": list(data.pop("audience_roles", None) or ()),
                            "ask_again": bool(data.pop("ask_again", False))}
        return data



class RepublishForm(StepForm):
    """Re-publication of the version in force after a review concluded no change: always with a notice (SOP,
    stage 5: "in Notices")."""

    # The channels are one question, as the publish form's are (QA walk of 2026-12-06: two loose checkboxes).
    checkbox_question = "Where should it be re-published?"
    checkbox_hint = "Choose at least one. A notice is always given in Notices."
    checkbox_fields = ("on_intranet", "on_publication_scheme")

    on_intranet = forms.BooleanField(label="Corporate Policy Intranet", required=False, initial=True)
    on_publication_scheme = forms.BooleanField(
        label="MPS Publication Scheme (public)", required=False,
        help_text="Only for policies that are suitable for the Publication Scheme and not OFFICIAL-SENSITIVE.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        policy = self.policy
        # The Scheme is offered only where the version re-published may go (the rule publication.services refuses
        # by): an OFFICIAL-SENSITIVE policy was offered it and then refused (QA walk of 2026-12-06). The hint says why
        # it is not offered, so its absence is not a puzzle.
        version = policy.current_version if policy is not None else None
        kept_off = kept_off_the_scheme(policy, version.details_read) if version is not None else ""
        if kept_off:
            del self.fields["on_publication_scheme"]
            self.checkbox_fields = ("on_intranet",)
            self.checkbox_hint = (f"A notice is always given in Notices. The MPS Publication Scheme is not offered: "
                                  f"{kept_off}.")
        # Unchanged means unchanged: start from the channels of the publication in force, so that pressing the
        # button does not take a public policy off the Publication Scheme (or the intranet) by default.
        in_force = (policy.publications.filter(status="published", superseded_at__isnull=True)
                    .order_by("-published_at").values("on_intranet", "on_publication_scheme").first()
                    if policy is not None and policy.pk else None)
        if in_force:
            for channel in self.checkbox_fields:
                self.fields[channel].initial = in_force[channel]

    def clean(self):
        data = super().clean()
        # The notice announces a policy staff or the public can read: one channel at least (the service's rule).
        if not (data.get("on_intranet") or data.get("on_publication_scheme")):
            where = ("the Corporate Policy Intranet" if "on_publication_scheme" not in self.fields
                     else "the Corporate Policy Intranet, the Publication Scheme or both")
            self.add_error("on_intranet", f"Choose where the policy is re-published: {where} (a notice is always "
                                          "given)")
        return data
