from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator import importing
from annotator.management.bulk import collector_paused
from annotator.models import Article, Source
from annotator.profiles.presentation import profile_payload
from annotator.profiles.reading import source_profiles
from annotator.renderers import FastJSONRenderer
from annotator.serializers import SourceSerializer


def staff_summaries():
    """What ``/api/sources/<id>/summary/`` answers staff for each source, by source id."""
    staff = get_user_model()(is_staff=True)
    summaries = []
    for source in Source.objects.order_by("pk"):
        [profile] = source_profiles(staff, [source], intervals=True)
        summaries.append(profile_payload(profile, SourceSerializer(source).data))
    return summaries


class Command(BaseCommand):
    help = (
        "Recompute every source's figures from a native or JSON Lines export (1.4 or later) "
        "alone: in an empty database, import the file, print a JSON array of what "
        "/api/sources/<id>/summary/ answers staff for each of its sources (by source id), "
        "and roll everything back."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export to recompute the figures of.")

    @collector_paused()
    def handle(self, *args, file, **options):
        if Article.objects.exists():
            raise CommandError(
                "The database holds articles: recompute_profiles runs only in an empty "
                "database, so that the figures rest on the file alone."
            )
        try:
            with Path(file).open("rb") as stream, transaction.atomic():
                _fmt, records = importing.read(stream)
                summary = importing.run(records, keep_ids=True)
                summaries = [] if summary.problems else staff_summaries()
                transaction.set_rollback(True)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except importing.ImportFileError as error:
            raise CommandError(f"Cannot read {file}: {error}.") from error
        if summary.problems:
            for problem in summary.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"No figures: {len(summary.problems)} record(s) in {file} are invalid "
                "(listed above); a native or JSON Lines export of version 1.4 or later is needed."
            )
        self.stdout.write(FastJSONRenderer().render(summaries).decode())
