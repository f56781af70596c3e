"""``{{ version|authors_of:policy }}``: the authors a version's document control names (the library page, the policy
page and the PDF): those it recorded when it was submitted (PolicyVersion.authors), whoever holds the policy now; for a
draft, or no version, the policy's developers as named now (``policy.developers.all``, which the pages prefetch)."""

from django import template

register = template.Library()


@register.filter
def authors_of(version, policy) -> list[str]:
    recorded = getattr(version, "authors", None)
    if recorded is not None and version.is_frozen:
        return list(recorded)
    return [str(developer) for developer in policy.developers.all()]
