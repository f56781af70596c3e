"""Atom feeds (Django's syndication framework), issue 14: ``/notices/feed/`` for staff (what they may see) and
``/publication-scheme/feed/`` for anyone (public items only)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core.templatetags.cached_urls import cached_reverse
from lifecycle.states import Status
from publication.notices import public_notices, staff_notices


class _NoticesFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, notice):
        return notice.heading

    def item_description(self, notice):
        return notice.summary

    def item_pubdate(self, notice):
        return notice.at

    def item_updateddate(self, notice):
        return notice.at

    def item_guid(self, notice):
        return f"{self.guid_prefix}{notice.key}"

    item_guid_is_permalink = False

    def item_author_name(self, notice):
        return notice.business_group


class StaffNoticesFeed(_NoticesFeed):
    """Notices for a signed-in member of staff: OFFICIAL-SENSITIVE items only for those cleared for them."""

    title = "Notices: corporate policies published, revised and withdrawn, and their monitoring reports"
    subtitle = ("What the Policy Co-ordination Unit has published, revised or withdrawn, and the monitoring reports "
                "it published.")
    guid_prefix = "tag:policyhub,2026:notices:"

    def get_object(self, request):
        return request.user

    def link(self):
        return reverse("notices:index")

    def items(self, user):
        return staff_notices(user=user)

    def item_link(self, notice):
        if notice.kind == "report":
            # Listed only for those who may open the report's page (publication.notices._staff_reads).
            return cached_reverse("assessments:monitoring_report", notice.reference, notice.report_id)
        if notice.kind == "withdrawn":
            return f"{reverse('notices:index')}#{notice.key}"
        if not notice.readable:
            # A policy its reader no longer sees (withdrawn since): its withdrawal's notice, else this one, not a 404.
            anchor = f"withdrawal-{notice.policy_id}" if notice.policy_status == Status.WITHDRAWN else notice.key
            return f"{reverse('notices:index')}#{anchor}"
        return cached_reverse("lifecycle:detail", notice.reference)


class SchemeFeed(_NoticesFeed):
    """The Publication Scheme's feed: what went on the Scheme (policies, and their monitoring reports), and the
    withdrawal of what had been there."""

    title = "Publication Scheme: corporate policies published and withdrawn, and their monitoring reports"
    subtitle = "The force's corporate policies as published under the Freedom of Information Act 2000."
    guid_prefix = "tag:policyhub,2026:publication-scheme:"

    def link(self):
        return reverse("publication:scheme")

    def items(self):
        return public_notices()

    def item_link(self, notice):
        # A withdrawal's page on the Scheme says the policy was withdrawn (publication.views.scheme_detail).
        page = cached_reverse("publication:scheme_detail", notice.reference)
        # A report, its section of the policy's page (publication/scheme_detail.html).
        return f"{page}#{notice.key}" if notice.kind == "report" else page
