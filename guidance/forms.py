from __future__ import annotations

from django import forms

from core.forms import GovUKForm
from core.html import RichTextField


class SitePageForm(GovUKForm):
    """One rich-text field per section of the page, labelled with its (fixed) heading."""

    def __init__(self, *args, page, **kwargs):
        self.page = page
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        for section in self.page.sections:
            self.fields[section.key] = RichTextField(
                label=section.heading, error_messages={"required": f"Enter the text of “{section.heading}”"})
        # The page's revision the form was drawn from (guidance.services.site_page_update refuses an older one).
        self.fields["base_revision"] = forms.IntegerField(widget=forms.HiddenInput)

    def bodies(self) -> dict[str, str]:
        return {section.key: self.cleaned_data[section.key] for section in self.page.sections}
