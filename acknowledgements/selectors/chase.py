"""Who has not confirmed what they are asked to, for the chase (issue 16): everyone at once, in one statement
(``outstanding_sql``), and the same rule in Python over profiles (``outstanding_people``).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from acknowledgements.models import Acknowledgement, AcknowledgementAudience, AudienceCriterion
from acknowledgements.selectors.profiles import Profile
from core.models import RoleAssignment, Unit, User
from lifecycle.states import ProtectiveMarking


def outstanding_people(audience: AcknowledgementAudience, profiles: dict[int, Profile]) -> set[int]:
    """The ids of the people (of ``profiles``) asked by ``audience`` who have not confirmed: for the chase."""
    criteria = list(audience.criteria.all())
    asked = {user_id for user_id, profile in profiles.items()
             if profile.included_by(criteria) and profile.may_read(audience.policy)}
    if not asked:
        return set()
    confirmed = set(Acknowledgement.objects.filter(policy_id=audience.policy_id, major=audience.major,
                                                   minor__gte=audience.counts_from_minor)
                    .order_by().values_list("user_id", flat=True))
    return asked - confirmed


def outstanding_sql(audiences: QuerySet[AcknowledgementAudience]) -> tuple[str, list]:
    """For the chase (issue 16), set-based: ``SELECT <the audience's columns>, user_id`` for every active person each
    of ``audiences`` asks and who has not confirmed. ``audiences`` is a ``values()`` queryset with an ``audience_id``
    column, plus ``policy_id``, ``major``, ``counts_from_minor``, ``marking`` and ``group_id`` (the policy's
    protective marking and business group).

    The rule of ``Profile.included_by`` and ``may_read``, written as SQL over everyone at once (tests/acknowledgements
    checks it agrees with them, and with ``outstanding_for``): a criterion names the person's unit, their unit's
    business group or a group they hold a role in, or a role they hold; OFFICIAL-SENSITIVE asks only those holding
    a force-wide role or a role in the policy's group. One statement, whatever the number of people: the criteria
    are joined to the staff they name (hashed), not tested person by person."""
    audience_sql, params = audiences.query.sql_with_params()
    criterion, user, unit, role, acknowledgement = (connection.ops.quote_name(model._meta.db_table) for model in (
        AudienceCriterion, User, Unit, RoleAssignment, Acknowledgement))
    # Table names from the models; every value a parameter.
    return (
        f"SELECT a.*, named.user_id FROM ({audience_sql}) a JOIN ("  # noqa: S608
        f"SELECT c.audience_id, u.id AS user_id FROM {criterion} c JOIN {user} u ON u.unit_id = c.unit_id "
        f"UNION SELECT c.audience_id, u.id FROM {criterion} c "
        f"JOIN {unit} g ON g.business_group_id = c.business_group_id JOIN {user} u ON u.unit_id = g.id "
        f"UNION SELECT c.audience_id, r.user_id FROM {criterion} c JOIN {role} r "
        f"ON r.business_group_id = c.business_group_id "
        f"UNION SELECT c.audience_id, r.user_id FROM {criterion} c JOIN {role} r ON r.role = c.role AND c.role <> ''"
        f") named ON named.audience_id = a.audience_id "
        f"JOIN {user} u ON u.id = named.user_id AND u.is_active = %s "
        f"WHERE (a.marking = %s OR EXISTS (SELECT 1 FROM {role} r WHERE r.user_id = u.id "
        f"AND (r.business_group_id IS NULL OR r.business_group_id = a.group_id))) "
        f"AND NOT EXISTS (SELECT 1 FROM {acknowledgement} k WHERE k.user_id = u.id AND k.policy_id = a.policy_id "
        f"AND k.major = a.major AND k.minor >= a.counts_from_minor)",
        [*params, True, ProtectiveMarking.OFFICIAL.value],
    )
