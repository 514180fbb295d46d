import sys
from pathlib import Path

from django.core import checks
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from annotator import brat, importing
from annotator.management.bulk import collector_paused
from annotator.management.terminal import Progress, add_quiet_argument


class Command(BaseCommand):
    help = (
        "Import annotations from a native, JSON Lines or W3C export (detected from the "
        "content). Offsets that no longer fit are re-anchored by quote and context; a file "
        "with any bad record writes nothing and names every bad record. Importing the same "
        "file twice changes nothing. --format brat reads brat standoff (a directory of .txt "
        "and .ann files, or one pair) through a mapping file (docs/brat.md)."
    )
    # Only the models' checks: the others import every URL and view before reading a line;
    # `manage.py check` runs them all on their own.
    requires_system_checks = [checks.Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export to import (brat: a directory or file).")
        parser.add_argument(
            "--format",
            choices=["brat"],
            help="brat standoff; native, JSON Lines and W3C files are told by their content.",
        )
        parser.add_argument(
            "--mapping",
            default=brat.DEFAULT_MAPPING,
            help="brat: the mapping file (default: the one brat exports are written with).",
        )
        parser.add_argument(
            "--reviewer", help="brat: the reviewer of spans no reviewer attribute names."
        )
        parser.add_argument(
            "--source", help="brat: the source of articles whose text is not stored yet."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        add_quiet_argument(parser)

    @collector_paused()
    def handle(self, *args, file, dry_run, quiet, **options):
        try:
            with Progress(None, "annotation", quiet) as progress:
                if options["format"] == "brat":
                    fmt, summary = "brat", self.brat(file, dry_run, progress, **options)
                else:
                    with Path(file).open("rb") as stream:
                        fmt, spans = importing.read(stream)
                        summary = importing.run(spans, dry_run=dry_run, progress=progress.update)
        except brat.MappingError as error:
            raise CommandError(f"Cannot use the mapping: {error}.") from error
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except importing.ImportFileError as error:
            raise CommandError(f"Cannot import {file}: {error}.") from error
        except IntegrityError as error:
            raise CommandError(
                f"Nothing was imported: a span changed in the database meanwhile ({error})."
            ) from error
        if summary.problems:
            for problem in summary.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing was imported: {len(summary.problems)} of {summary.read} annotation(s) "
                f"in {file} are invalid (listed above)."
            )
        self.report(summary, fmt, file, dry_run, quiet, progress)

    def brat(self, file, dry_run, progress, *, mapping, reviewer, source, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Cannot read {file}: there is no such file or directory.")
        records = brat.records(path, brat.load_mapping(mapping), reviewer=reviewer, source=source)
        return importing.run(records, dry_run=dry_run, progress=progress.update)

    def report(self, summary, fmt, file, dry_run, quiet, progress):
        counts, verb = summary.counts, "would be" if dry_run else "were"
        if not quiet:
            extras = []
            if summary.new_reviewers:
                extras.append(f"new reviewer accounts: {', '.join(sorted(summary.new_reviewers))}")
            if summary.new_speakers:
                extras.append(f"new speakers: {', '.join(sorted(summary.new_speakers))}")
            if summary.skipped_orphans:
                extras.append(
                    f"{len(summary.skipped_orphans)} orphaned (their quote is not in the body) "
                    f"skipped: {', '.join(summary.skipped_orphans)}"
                )
            if summary.unlinked:
                extras.append(
                    f"{len(summary.unlinked)} linked to a skipped orphan {verb} imported unlinked: "
                    f"{', '.join(summary.unlinked)}"
                )
            sys.stderr.write(
                f"{fmt} file {file}: {counts['created']} {verb} created, {counts['updated']} "
                f"updated, {counts['unchanged']} unchanged, {counts['reanchored']} re-anchored"
                f"{'; ' + '; '.join(extras) if extras else ''} ({progress.seconds:.1f} s).\n"
            )
