from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from annotator import study
from annotator.models import Source


class Command(BaseCommand):
    help = (
        "Write a study bundle into an empty directory: a Frictionless data package with the "
        "codebook, reliability per variable, each source's figures, spans and codings as CSV, "
        "the native and W3C exports, and checksums (docs/study-bundle.md)."
    )
    # The bundle only reads data; `manage.py check` runs the system checks on their own.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("output_dir", help="An empty or new directory to write into.")
        parser.add_argument("--source", type=int, help="Only this source id.")

    def handle(self, *args, output_dir, source, **options):
        directory = Path(output_dir)
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise CommandError(f"{output_dir} is not an empty directory; give an empty or new one.")
        if source is not None and not Source.objects.filter(pk=source).exists():
            raise CommandError(f"There is no source with id {source}.")
        directory.mkdir(parents=True, exist_ok=True)
        study.write(directory, timezone.now(), source=source)
        self.stdout.write(f"Wrote the study bundle to {output_dir}.")
