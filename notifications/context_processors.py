from notifications.models import Notification


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable, so the COUNT runs only on pages whose template shows it.
    return {"unread_notifications": lambda: Notification.objects.filter(
        recipient_id=user.pk, read_at__isnull=True).count()}
