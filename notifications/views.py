from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from notifications.links import for_links, with_links, with_path_links
from notifications.selectors import inbox_items, new_items
from notifications.services import notifications_mark_read


@login_required
@require_safe
def notification_list(request):
    # Without the items about an OFFICIAL-SENSITIVE policy the reader is not cleared for now (notifications.selectors:
    # the list, the header's count and the digest e-mail leave out the same items).
    queryset = for_links(inbox_items(user=request.user)).order_by("-created_at", "-pk")
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        # What is new: not read, nor a reminder the ledger has closed since (notifications.selectors.new_items).
        queryset = queryset.filter(new_items())
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    # Each item leads to the page of what it is about, if its reader may open it now (notifications.links), through
    # its open link (notification_open), which marks it read on the way.
    items = with_links(page.object_list, user=request.user)
    for item in items:
        item.body_html = with_path_links(item)
        # The reminder was read with the item (for_links): no query. Closed, it asks nothing more of its reader: a
        # reminder, or a notice of a review draft since withdrawn (Notification.closed_at).
        closed = item.reminder if item.reminder_id and item.reminder.superseded_at else None
        item.closed_on = closed.superseded_at if closed else item.closed_at
        item.closed_what = "reminder" if item.reminder_id else "notice"
        item.handed_over = bool(closed and closed.handed_to_id)
        # Why, where it was recorded (Reminder.closed_because, Notification.closed_because): "the policy was withdrawn"
        item.closed_why = (closed or item).get_closed_because_display() if item.closed_on else ""
    return render(request, "notifications/list.html", {"page": page, "items": items, "unread_only": unread_only})


@login_required
@require_safe
def notification_open(request, notification_id: int):
    """An item's link in the inbox: marks the item read and leads to the page it is about. A GET, so that the link is
    an ordinary link (opened in a new tab, without JavaScript), and safe to repeat: it only ever marks read the
    signed-in person's own item, once (``notifications_mark_read`` keeps when it was first read). Someone else's
    item, and one withheld from its reader now (``inbox_items``: the list's own rule), is 404. Where it leads is worked
    out from the item, as the list does (``with_links``), never taken from the request: it cannot lead off the site."""
    item = get_object_or_404(for_links(inbox_items(user=request.user)), pk=notification_id)
    [item] = with_links([item], user=request.user)
    notifications_mark_read(user=request.user, notification_ids=[item.pk])
    target = item.link
    # An item that leads nowhere now (its policy out of sight) is not a link in the list; opened anyway, the inbox.
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = reverse("notifications:list")
    return redirect(target)


@login_required
@require_POST
def notification_mark_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")
