from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from notifications.links import for_links, with_links, with_path_links
from notifications.selectors import inbox_items
from notifications.services import notifications_mark_read


@login_required
@require_safe
def notification_list(request):
    # Without the items about an OFFICIAL-SENSITIVE policy the reader is not cleared for now (notifications.selectors:
    # the list, the header's count and the digest e-mail leave out the same items).
    queryset = for_links(inbox_items(user=request.user)).order_by("-created_at", "-pk")
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    # Each item leads to the page of what it is about, if its reader may open it now (notifications.links).
    items = with_links(page.object_list, user=request.user)
    for item in items:
        item.body_html = with_path_links(item)
    return render(request, "notifications/list.html", {"page": page, "items": items, "unread_only": unread_only})


@login_required
@require_POST
def notification_mark_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")
