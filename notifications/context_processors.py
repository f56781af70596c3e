from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from notifications.models import Notification

# The attribute the count is loaded into with the user (workspace.backends), when it is.
UNREAD_ATTRIBUTE = "policyhub_unread_notifications"


def unread_count_of_outer_user() -> Coalesce:
    """The unread notifications of the user of the outer query: the header's count, loaded in the query that loads
    the user (workspace.backends) instead of a query of its own on every page."""
    unread = (Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True).order_by()
              .values("recipient_id").annotate(count=Count("pk")).values("count"))
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    loaded = getattr(user, UNREAD_ATTRIBUTE, None)
    if loaded is not None:
        return {"unread_notifications": loaded}
    # A callable, so the COUNT runs only on pages whose template shows it.
    return {"unread_notifications": lambda: Notification.objects.filter(
        recipient_id=user.pk, read_at__isnull=True).count()}
