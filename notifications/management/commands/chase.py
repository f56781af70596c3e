import datetime
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import User
from notifications import services
from notifications.tasks import send_digest


class Command(BaseCommand):
    help = ("Chase reviews, monitoring reports, emergency EIAs, stuck work and orphaned policies. "
            "--dry-run prints what would be sent today and to whom; without it, runs the scheduled job's code.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; change nothing.")
        parser.add_argument("--date", help="Chase as if today were this date (YYYY-MM-DD), e.g. to see tomorrow.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from error
        if options["dry_run"]:
            plan = services.chase_plan(today=today)
            by_recipient = defaultdict(list)
            for item in plan:
                by_recipient[item.recipient_id].append(item)
            users = User.objects.in_bulk(list(by_recipient))
            self.stdout.write(f"Chase for {today:%-d %B %Y}: {len(plan)} reminder(s) to "
                              f"{len(by_recipient)} person(s) (dry run: nothing recorded or sent).")
            for user_id, items in sorted(by_recipient.items(), key=lambda pair: users[pair[0]].username):
                user = users[user_id]
                self.stdout.write(f"\n{user.username} <{user.email or 'no e-mail'}>: {len(items)} item(s)")
                for item in items:
                    self.stdout.write(f"  - [{item.kind}] {item.message}")
            return
        result = services.chase_run(today=today)
        sent = sum(1 for digest_id in result.digests if send_digest.apply(args=[digest_id]).get())
        self.stdout.write(self.style.SUCCESS(
            f"Chase for {today}: {result.planned} due, {result.new_reminders} new reminder(s), "
            f"{sent} digest e-mail(s) sent."))
