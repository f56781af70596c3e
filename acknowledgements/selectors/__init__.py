"""Who is asked to acknowledge what, and who has. Split by concern:

- ``profiles``: where a person works and what they hold, as an audience sees them (``Profile``: the one rule of who
  an audience includes, and who may read an OFFICIAL-SENSITIVE policy), for one person or many;
- ``audiences``: which audiences ask now (the version in force) and which confirmation answers one;
- ``outstanding``: what one person is asked to confirm and has not (My work, the acknowledgements page, a policy's
  page);
- ``units``: a policy manager's rates for the units they manage;
- ``chase``: who has not confirmed, everyone at once, for the chase and PCU's export;
- ``classes``: the active staff and their confirmations counted by class (unit, roles held);
- ``rates``: the oversight dashboard's rates by audience in force, from those classes.

Importing from ``acknowledgements.selectors`` is the public interface; the modules import one another in that order.
"""

from acknowledgements.selectors.audiences import audiences_in_force, in_force, satisfied_by
from acknowledgements.selectors.chase import outstanding_people, outstanding_sql
from acknowledgements.selectors.classes import (
    CLASS_PROFILES,
    COMPILED_CONFIRMATIONS,
    confirmations_by_class,
    staff_classes,
)
from acknowledgements.selectors.outstanding import (
    COMPILED_PROFILES,
    OutstandingRow,
    acknowledgement_request,
    outstanding_for,
    outstanding_rows,
)
from acknowledgements.selectors.profiles import Profile, profile_of, profiles_of
from acknowledgements.selectors.rates import AudienceAsking, AudienceRate, acknowledgement_rates, audiences_asking
from acknowledgements.selectors.units import UnitRate, managed_units, unit_rates

__all__ = [
    "CLASS_PROFILES", "COMPILED_CONFIRMATIONS", "COMPILED_PROFILES", "AudienceAsking", "AudienceRate",
    "OutstandingRow", "Profile", "UnitRate", "acknowledgement_rates", "acknowledgement_request", "audiences_asking",
    "audiences_in_force", "confirmations_by_class", "in_force", "managed_units", "outstanding_for",
    "outstanding_people", "outstanding_rows", "outstanding_sql", "profile_of", "profiles_of", "satisfied_by",
    "staff_classes", "unit_rates",
]
