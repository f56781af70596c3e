"""Who is signed in, loaded once per request together with what every page asks of them.

Django's ModelBackend loads the signed-in user in one query; every page then asked for their roles
(lifecycle.permissions.role_index) and, in the header, their unread notifications, in two queries more. Here the
three come in one (make bench, issue 16: "at most 12 queries" per page). The roles are cached on the user object
exactly as ``role_index`` caches them, for this request only: a role given or taken away is seen on the next request,
as before.

The statement is the same for everyone but the user's id, so it is compiled once per process and database: Django
compiling its two subqueries took longer than PostgreSQL running them (make bench: about 2 ms a request)."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, router

from lifecycle.permissions import remember_roles, role_rows_of_outer_user
from notifications.context_processors import UNREAD_ATTRIBUTE, unread_count_of_outer_user

ROLE_ROWS_ATTRIBUTE = "policyhub_role_rows"
# Stands for the user's id in the statement compiled once; no user has it (ids are positive).
_ID_MARKER = -7_919_003


@cache
def _person_statement(alias: str) -> tuple[str, tuple]:
    """The SQL and parameters that load a user with their roles and unread count, the id standing as _ID_MARKER."""
    queryset = (get_user_model()._default_manager.using(alias).filter(pk=_ID_MARKER)
                .annotate(**{ROLE_ROWS_ATTRIBUTE: role_rows_of_outer_user(),
                             UNREAD_ATTRIBUTE: unread_count_of_outer_user()}))
    statement, parameters = queryset.query.get_compiler(alias).as_sql()
    if list(parameters).count(_ID_MARKER) != 1:
        raise RuntimeError("The person's statement must name the user's id exactly once.")
    return statement, tuple(parameters)


def load_person(user_id):
    """The active or inactive user with this id, carrying their roles (cached for ``role_index``) and unread count;
    None if there is none."""
    model = get_user_model()
    alias = router.db_for_read(model) or DEFAULT_DB_ALIAS
    statement, parameters = _person_statement(alias)
    user_id = model._meta.pk.to_python(user_id)
    values = [user_id if parameter == _ID_MARKER else parameter for parameter in parameters]
    user = next(iter(model._default_manager.db_manager(alias).raw(statement, values)), None)
    if user is not None:
        remember_roles(user, getattr(user, ROLE_ROWS_ATTRIBUTE))
    return user


class PersonBackend(ModelBackend):
    """ModelBackend (sign-in, permissions) whose ``get_user`` also loads the person's roles and unread count."""

    def get_user(self, user_id):
        user = load_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
