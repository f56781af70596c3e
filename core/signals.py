"""Signals core sends to the apps above it (imports run core <- lifecycle: core names no app; an app connects in its
``ready()``)."""

from django.dispatch import Signal

# A person may now be cleared for less OFFICIAL-SENSITIVE material: a role taken away (core.services.role_revoke), or
# their account closed (core.holdings.user_deactivate). Sent by core.services.clearance_reduced_send (which first
# withdraws the person's spreadsheets, core's own: signals only across apps) inside the change's transaction, after
# it, with ``person`` (the user), ``actor`` and ``cause`` (what happened, in words that follow "their": "role Policy
# developer in Territorial Policing was taken away"). A receiver acts in that same transaction, so that the change and
# what follows from it commit, or fail, together: lifecycle withdraws what it gave the person on the policies they are
# no longer cleared for (lifecycle.services.clearance), and tells those who name a corporate policy's Designated Lead
# when that Lead is no longer cleared for an OFFICIAL-SENSITIVE local work instruction supplementing it. A role taken
# away also sends ``roles_lost``, {(role, business group id or None)} of what went, so that a receiver can tell what
# this change took from what was already gone; an account closed sends none (everything went).
clearance_reduced = Signal()
