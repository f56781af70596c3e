from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from notifications.models import Notification
from notifications.services import notifications_mark_read


@login_required
@require_safe
def notification_list(request):
    queryset = Notification.objects.filter(recipient=request.user).select_related("policy").order_by(
        "-created_at", "-pk")
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_mark_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")
