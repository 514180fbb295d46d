import sys
from contextlib import ExitStack
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotator import brat_export, exporting
from annotator.management.terminal import Progress, add_quiet_argument
from annotator.models import Annotation, Label, Layer


class Command(BaseCommand):
    help = (
        "Write annotations as native JSON, JSON Lines or W3C Web Annotations (the same "
        "bytes as /api/export/ for the same data and filters), to standard output or a file; "
        "or as brat standoff, a .txt and a .ann per article, into the directory --output."
    )
    # The system checks import every URL and view (about 20 MB) before reading a row;
    # an export only reads data, and `manage.py check` runs them on their own.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=[*exporting.FORMATS, "brat"], default="native")
        parser.add_argument(
            "--output",
            "-o",
            help="File to write (default: standard output); brat: the directory to write into.",
        )
        parser.add_argument("--source", type=int, help="Only articles of this source id.")
        parser.add_argument("--article", type=int, help="Only this article id.")
        parser.add_argument("--reviewer", help="Only this reviewer's username.")
        parser.add_argument("--label", choices=Label.values, help="Only this label.")
        parser.add_argument("--layer", choices=Layer.values, help="Only raw or adjudicated spans.")
        parser.add_argument(
            "--since",
            help="Only annotations changed after this time (ISO 8601, e.g. 2026-01-31T12:00Z).",
        )
        add_quiet_argument(parser)

    def handle(self, *args, output, quiet, **options):
        filters = {name: options[name] for name in exporting.FILTERS if options[name] is not None}
        if "since" in filters:
            since = parse_datetime(filters["since"].replace("Z", "+00:00"))
            if since is None:
                raise CommandError(f"--since {filters['since']!r} is not an ISO 8601 time.")
            filters["since"] = since if timezone.is_aware(since) else timezone.make_aware(since)
        reviewer = filters.get("reviewer")
        if reviewer and not get_user_model().objects.filter(username=reviewer).exists():
            raise CommandError(f"There is no reviewer called {reviewer!r}.")
        annotations = Annotation.objects.all()
        total = exporting.filtered(annotations, **filters).count()
        if options["format"] == "brat":
            self.brat(annotations, filters, output, total, quiet)
            return
        with ExitStack() as stack:
            if output:
                try:
                    write = stack.enter_context(open(output, "wb")).write
                except OSError as error:
                    raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
            else:
                write = lambda chunk: self.stdout.write(chunk.decode(), ending="")  # noqa: E731
            progress = stack.enter_context(Progress(total, "annotation", quiet or not output))
            for chunk in exporting.stream(
                options["format"], annotations, filters, timezone.now(), progress.update
            ):
                write(chunk)
        if output and not quiet:
            rate = total / progress.seconds if progress.seconds else 0
            sys.stderr.write(
                f"Exported {total} annotation(s) as {options['format']} to {output} "
                f"in {progress.seconds:.1f} s ({rate:,.0f}/s).\n"
            )

    def brat(self, annotations, filters, output, total, quiet):
        if not output:
            raise CommandError("--format brat writes files: give the directory with --output.")
        directory = Path(output)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with Progress(total, "annotation", quiet) as progress:
                counts = brat_export.write(annotations, filters, directory, progress.update)
        except OSError as error:
            raise CommandError(f"Cannot write into {output}: {error.strerror}.") from error
        if not quiet:
            orphans = f"; {counts['orphans']} orphaned left out" if counts["orphans"] else ""
            sys.stderr.write(
                f"Exported {counts['spans']} annotation(s) of {counts['articles']} article(s) "
                f"as brat to {output}{orphans} ({progress.seconds:.1f} s).\n"
            )
