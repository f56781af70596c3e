from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from lifecycle.diagram import mermaid_diagram, replace_in


class Command(BaseCommand):
    help = "Print the state diagram generated from lifecycle.workflow's step declarations (--write: into README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Replace the diagram section of README.md.")

    def handle(self, *args, write: bool = False, **options):
        if not write:
            self.stdout.write(mermaid_diagram())
            return
        readme = Path(settings.BASE_DIR) / "README.md"
        readme.write_text(replace_in(readme.read_text(encoding="utf-8")), encoding="utf-8")
        self.stdout.write(f"Wrote the workflow diagram into {readme}.")
