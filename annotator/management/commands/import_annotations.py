import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from annotator import importing
from annotator.management.bulk import collector_paused
from annotator.management.terminal import Progress, add_quiet_argument


class Command(BaseCommand):
    help = (
        "Import annotations from a native, JSON Lines or W3C export (detected from the "
        "content). Offsets that no longer fit are re-anchored by quote and context; a file "
        "with any bad record writes nothing and names every bad record. Importing the same "
        "file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        add_quiet_argument(parser)

    @collector_paused()
    def handle(self, *args, file, dry_run, quiet, **options):
        try:
            with Path(file).open("rb") as stream, Progress(None, "annotation", quiet) as progress:
                fmt, spans = importing.read(stream)
                summary = importing.run(spans, dry_run=dry_run, progress=progress.update)
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
