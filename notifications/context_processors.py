from notifications.selectors import inbox_unread_count, unread_count_seen

# The attributes the count is loaded into with the user (workspace.backends), when it is: every unread item, and
# those about a policy that is not OFFICIAL by business group (notifications.selectors).
UNREAD_ATTRIBUTE = "policyhub_unread_notifications"
UNREAD_SENSITIVE_ATTRIBUTE = "policyhub_unread_sensitive_notifications"


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    loaded = getattr(user, UNREAD_ATTRIBUTE, None)
    if loaded is not None:
        # What the inbox lists as new: not the items about an OFFICIAL-SENSITIVE policy the reader is not cleared for
        # now (notifications.selectors). No query: the roles came with the person.
        sensitive = getattr(user, UNREAD_SENSITIVE_ATTRIBUTE, None)
        return {"unread_notifications": unread_count_seen(user, loaded, sensitive)}
    # A callable, so the COUNT runs only on pages whose template shows it.
    return {"unread_notifications": lambda: inbox_unread_count(user=user)}
