from django.conf import settings
from django.db import models

from guidance.content import PAGES


class SitePageSection(models.Model):
    """PCU's text of one section of a public information page (guidance.content fixes the page's sections and
    their headings). A section without a row shows its default text. Changed only through guidance.services."""

    page = models.CharField(max_length=40, choices=[(slug, page.title) for slug, page in PAGES.items()])
    section = models.CharField(max_length=40)
    body = models.TextField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "section"], name="site_page_section_unique")]

    def __str__(self) -> str:
        return f"{self.page}: {self.section}"


class SitePageRevision(models.Model):
    """How many times PCU has saved a public information page: the row the page's saves lock, one after the other,
    and the revision its edit form is bound to, so that a save from a page drawn before another save (a colleague, a
    second tab) is refused instead of putting back what was saved meanwhile (core.stale_saves). A page never saved has
    no row (revision 0). Changed only through guidance.services."""

    page = models.CharField(max_length=40, unique=True, choices=[(slug, page.title) for slug, page in PAGES.items()])
    revision = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.page}: revision {self.revision}"
