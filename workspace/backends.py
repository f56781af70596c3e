"""Who is signed in, loaded once per request together with what every page asks of them (their roles, unread count
and the business group they work in).

Django's ModelBackend loads the signed-in user in one query; every page then asked for their roles
(lifecycle.permissions.role_index) and, in the header, their unread notifications, in two queries more. Here the
three come in one (make bench, issue 16: "at most 12 queries" per page). The roles are cached on the user object
exactly as ``role_index`` caches them, for this request only: a role given or taken away is seen on the next request,
as before. With the unread count come the unread items about a policy that is not OFFICIAL (now, or when the item was
written), counted by business group, so that the header counts only what the inbox shows its reader, decided from
those roles (notifications.selectors.withheld_unless_cleared, the list's rule).

The statement is the same for everyone but the user's id, so it is compiled once per process and database: Django
compiling its two subqueries took longer than PostgreSQL running them (make bench: about 2 ms a request)."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import F

from core.compiled import CompiledSelect
from lifecycle.permissions import HOME_GROUP_KEY, remember_roles, role_rows_of_outer_user
from notifications.context_processors import UNREAD_ATTRIBUTE, UNREAD_SENSITIVE_ATTRIBUTE
from notifications.selectors import sensitive_unread_of_outer_user, unread_count_of_outer_user

ROLE_ROWS_ATTRIBUTE = "policyhub_role_rows"
# The business group of the unit the person works in, for ``lifecycle.permissions.home_group``.
HOME_GROUP_ATTRIBUTE = "policyhub_home_group"
# Stands for the user's id in the statement compiled once; no user has it (ids are positive).
_ID_MARKER = -7_919_003


@cache
def _person_statement(alias: str) -> tuple[CompiledSelect, int]:
    """The SELECT that loads a user with their roles and unread count, compiled once (core.compiled), and where in
    its parameters the user's id goes (compiled as _ID_MARKER)."""
    queryset = (get_user_model()._default_manager.using(alias).filter(pk=_ID_MARKER)
                .annotate(**{ROLE_ROWS_ATTRIBUTE: role_rows_of_outer_user(),
                             UNREAD_ATTRIBUTE: unread_count_of_outer_user(),
                             UNREAD_SENSITIVE_ATTRIBUTE: sensitive_unread_of_outer_user(),
                             HOME_GROUP_ATTRIBUTE: F("unit__business_group_id")}))
    compiled = CompiledSelect.of(queryset)
    if compiled is None or list(compiled.params).count(_ID_MARKER) != 1:
        raise RuntimeError("The person's statement must name the user's id exactly once.")
    fields = tuple(field.attname for field in queryset.model._meta.concrete_fields)
    if compiled.columns != (*fields, ROLE_ROWS_ATTRIBUTE, UNREAD_ATTRIBUTE, UNREAD_SENSITIVE_ATTRIBUTE,
                             HOME_GROUP_ATTRIBUTE):
        raise RuntimeError("The person's statement must select the user's fields in order, then the annotations.")
    return compiled, compiled.params.index(_ID_MARKER)


def load_person(user_id):
    """The active or inactive user with this id, carrying their roles (cached for ``role_index``) and unread count;
    None if there is none. Built from the row as Django builds a model from a row (``Model.from_db``), the two
    annotations set on it."""
    model = get_user_model()
    alias = router.db_for_read(model) or DEFAULT_DB_ALIAS
    compiled, id_at = _person_statement(alias)
    params = list(compiled.params)
    params[id_at] = model._meta.pk.to_python(user_id)
    rows = compiled.rows(params)
    if not rows:
        return None
    fields = len(model._meta.concrete_fields)
    user = model.from_db(alias, compiled.columns[:fields], rows[0][:fields])
    for name, value in zip(compiled.columns[fields:], rows[0][fields:], strict=True):
        setattr(user, name, value)
    remember_roles(user, getattr(user, ROLE_ROWS_ATTRIBUTE))
    user.__dict__[HOME_GROUP_KEY] = getattr(user, HOME_GROUP_ATTRIBUTE)
    return user


class PersonBackend(ModelBackend):
    """ModelBackend (sign-in, permissions) whose ``get_user`` also loads the person's roles and unread count."""

    def get_user(self, user_id):
        user = load_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
