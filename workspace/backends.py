"""Who is signed in, loaded once per request together with what every page asks of them.

Django's ModelBackend loads the signed-in user in one query; every page then asked for their roles
(lifecycle.permissions.role_index) and, in the header, their unread notifications, in two queries more. Here the
three come in one (make bench, issue 16: "at most 12 queries" per page). The roles are cached on the user object
exactly as ``role_index`` caches them, for this request only: a role given or taken away is seen on the next request,
as before."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from lifecycle.permissions import remember_roles, role_rows_of_outer_user
from notifications.context_processors import UNREAD_ATTRIBUTE, unread_count_of_outer_user


class PersonBackend(ModelBackend):
    """ModelBackend (sign-in, permissions) whose ``get_user`` also loads the person's roles and unread count."""

    def get_user(self, user_id):
        user = (get_user_model()._default_manager.filter(pk=user_id)
                .annotate(policyhub_role_rows=role_rows_of_outer_user(),
                          **{UNREAD_ATTRIBUTE: unread_count_of_outer_user()})
                .first())
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_roles(user, user.policyhub_role_rows)
        return user
