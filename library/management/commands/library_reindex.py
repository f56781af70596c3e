from django.core.management.base import BaseCommand

from library.services import library_reindex


class Command(BaseCommand):
    help = "Rebuild the intranet library's search index from what is published (safe to run at any time)."

    def handle(self, *args, **options):
        total = library_reindex()
        self.stdout.write(f"The library holds {total:,} documents.")
