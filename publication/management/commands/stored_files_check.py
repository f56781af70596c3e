"""``manage.py stored_files_check``: list the stored "staff" and "public" copies of versions published
OFFICIAL-SENSITIVE, stored wrongly.

Before 2297154 a publication's files stored late (its task late, or PCU storing them again) followed the policy's
marking at the time, not the one its version was published with: a version published OFFICIAL-SENSITIVE, superseded
by a review's OFFICIAL version, had its words stored as every member of staff's copy, marked OFFICIAL. Nobody not
cleared for the policy's OFFICIAL-SENSITIVE material reads such a copy now (publication.selectors
``stored_copies_readable``), but the files stay: they are evidence (append-only), never deleted. This lists them, so
that an administrator sees what was stored wrongly and who might have read it (the files' downloads are in the web
server's log); it changes nothing. Exit status 1 when it finds any, so that it can gate a deployment or a check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from publication.selectors import stored_copies_of_sensitive_versions


class Command(BaseCommand):
    help = ("List the stored 'staff' and 'public' copies of versions published OFFICIAL-SENSITIVE (stored by the rule "
            "before 2297154, which followed the policy's marking then). Changes nothing; exit status 1 if any.")

    def handle(self, *args, **options):
        found = 0
        for published_file in stored_copies_of_sensitive_versions().iterator(chunk_size=500):
            found += 1
            publication = published_file.publication
            policy, version = publication.policy, publication.policy_version
            published_on = (f"published {timezone.localtime(publication.published_at):%Y-%m-%d}"
                            if publication.published_at else publication.get_status_display().lower())
            self.stdout.write(
                f"{policy.reference} version {version.number} ({policy.business_group}), publication "
                f"{publication.pk} ({published_on}): the {published_file.audience} copy, rendition "
                f"{published_file.rendition}, marked {published_file.marking}, stored "
                f"{timezone.localtime(published_file.rendered_at):%Y-%m-%d %H:%M:%S}, SHA-256 {published_file.sha256}, "
                f"file {published_file.storage_name}")
        if not found:
            self.stdout.write("No staff or public copy of a version published OFFICIAL-SENSITIVE is stored.")
            return
        raise CommandError(
            f"{found} stored file{'s' if found != 1 else ''} of versions published OFFICIAL-SENSITIVE "
            f"{'are' if found != 1 else 'is'} a copy for readers not cleared (listed above). Staff not cleared for "
            "the policy's OFFICIAL-SENSITIVE material and the public are refused them; they are kept as evidence.")
