"""The Notices views (issue 14): the staff's dated bulletin of what was published, revised or withdrawn
(``/notices/``) and its Atom feed, and the Publication Scheme's public feed. The rest of publication's pages are
publication.views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from publication.feeds import SchemeFeed, StaffNoticesFeed
from publication.notices import NOTICES_PER_PAGE, staff_notices
from publication.ratelimit import public_rate_limit


@login_required
@require_safe
def notices_page(request):
    """A dated bulletin of what was published, revised or withdrawn, newest first, 50 at a time (``?before=`` the
    time of the last one shown: each page costs the same, however far back)."""
    before = None
    if request.GET.get("before"):
        before = parse_datetime(request.GET["before"][:40]) if len(request.GET["before"]) <= 40 else None
        if before is None or timezone.is_naive(before):
            return render(request, "publication/notices.html", {"notices": [], "bad_before": True}, status=400)
    notices = staff_notices(user=request.user, before=before, limit=NOTICES_PER_PAGE + 1)
    older = notices[NOTICES_PER_PAGE - 1].at.isoformat() if len(notices) > NOTICES_PER_PAGE else None
    notices = notices[:NOTICES_PER_PAGE]
    # Each notice with its time in the service's time zone, found once (timezone.localtime asks the request's time
    # zone anew on each call: twice a notice, a tenth of the page's Python at make bench).
    zone = timezone.get_current_timezone()
    days = []
    for notice in notices:
        at = notice.at.astimezone(zone)
        if not days or days[-1][0] != at.date():
            days.append((at.date(), []))
        days[-1][1].append((notice, at))
    return render(request, "publication/notices.html", {"days": days, "older": older, "before": before,
                                                        "section": "notices"})


staff_notices_feed = login_required(require_safe(StaffNoticesFeed()))
scheme_feed = require_safe(public_rate_limit(group="scheme_feed", rate_setting="POLICYHUB_PUBLIC_PAGE_RATE")(
    SchemeFeed()))
