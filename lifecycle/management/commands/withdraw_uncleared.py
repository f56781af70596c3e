"""Withdraw, in bulk, what people hold on OFFICIAL-SENSITIVE drafts they cannot open (security probe F2).

Invitations to advise and grants by name made before the services refused someone not cleared, or left behind when a
clearance went where Django never saw it (a role deleted or changed in plain SQL), are named on each policy's Advice
page; this ends them all, each through ``lifecycle.services.policy_uncleared_withdraw`` (the policy locked, an audit
event per invitation and grant, the developers, manager and inviter told). A dry run by default: it lists them and
changes nothing. Safe to run again: what was withdrawn is not found a second time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.models import User
from lifecycle.permissions import is_pcu
from lifecycle.selectors import sensitive_policies_naming_anyone, uncleared_holders
from lifecycle.services import policy_uncleared_withdraw


class Command(BaseCommand):
    help = ("List the invitations to advise and the grants held by people who cannot open the OFFICIAL-SENSITIVE "
            "draft they are on (not cleared for its business group's material, or their account closed). "
            "--apply --actor=<PCU username> withdraws them, each with its audit event; without --apply nothing "
            "changes.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Withdraw them (otherwise: list them only).")
        parser.add_argument("--actor", help="The username of the Policy Co-ordination Unit member withdrawing them "
                                            "(recorded on each event). Required with --apply.")

    def handle(self, *args, apply: bool = False, actor: str | None = None, **options):
        who = self._actor(actor) if apply else None
        policies = invitations = grants = ended = 0
        # Read first, then each policy withdrawn in its own transaction (the service's), locked: a long sweep holds no
        # lock on the others, and what it already ended stays ended if it is stopped.
        for policy in list(sensitive_policies_naming_anyone()):
            holders = uncleared_holders(policy)
            if not holders:
                continue
            policies += 1
            self.stdout.write(f"{policy.reference} ({policy.business_group}):")
            for holder in holders:
                held = [f"{holder.invitations} open invitation{'s' if holder.invitations != 1 else ''} to advise"
                        ] if holder.invitations else []
                held += [f"access {codename}" for codename in holder.grants]
                self.stdout.write(f"  {holder.user} ({holder.user.username}): {', '.join(held)}; cannot open the "
                                  f"draft: {holder.reason}")
                invitations += holder.invitations
                grants += len(holder.grants)
            if who is not None:
                ended += policy_uncleared_withdraw(policy=policy, actor=who)
        if not policies:
            self.stdout.write("Nobody named on an OFFICIAL-SENSITIVE draft is unable to open it: nothing to withdraw.")
            return
        found = (f"{invitations} invitation(s) and {grants} grant(s) on {policies} "
                 f"polic{'ies' if policies != 1 else 'y'}")
        if who is None:
            self.stdout.write(f"Dry run: {found} would be withdrawn. Nothing was changed; run again with --apply "
                              "--actor=<PCU username> to withdraw them.")
        else:
            # An invitation that gave access takes its grant back with it: fewer may end than were listed.
            self.stdout.write(self.style.SUCCESS(
                f"Found {found}; {ended} ended (an invitation's access goes with it), each recorded, by "
                f"{who.username}."))

    def _actor(self, username: str | None) -> User:
        if not username:
            raise CommandError("--apply needs --actor=<username>: the Policy Co-ordination Unit member recorded as "
                               "withdrawing them.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account is called {username!r}.")
        if not is_pcu(user):
            # SOP, "Role of the Policy Co-ordination Unit": "Develop and maintain the Corporate Policy Database". A
            # force-wide role, so cleared for every group's material the listing names.
            raise CommandError(f"{user} does not hold the Policy Co-ordination Unit role: only PCU withdraws them in "
                               "bulk.")
        return user
