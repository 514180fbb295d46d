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
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            fmt, spans = importing.parse(raw)
        except importing.ImportFileError as error:
            raise CommandError(f"Cannot import {file}: {error}.") from error
        with Progress(len(spans), "annotation", quiet) as progress:
            plan = importing.plan(spans)
            progress.update(len(spans))
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing was imported: {len(plan.problems)} of {len(spans)} annotation(s) "
                f"in {file} are invalid (listed above)."
            )
        if dry_run:
            counts = {
                what: plan.count(what) for what in ("created", "updated", "unchanged", "reanchored")
            }
            verb = "would be"
        else:
            try:
                counts = importing.apply(plan)
            except IntegrityError as error:
                raise CommandError(
                    f"Nothing was imported: a span changed in the database meanwhile ({error})."
                ) from error
            verb = "were"
        if not quiet:
            extras = []
            if plan.new_reviewers:
                extras.append(f"new reviewer accounts: {', '.join(sorted(plan.new_reviewers))}")
            if plan.new_speakers:
                extras.append(f"new speakers: {', '.join(sorted(plan.new_speakers))}")
            if plan.skipped_orphans:
                extras.append(
                    f"{len(plan.skipped_orphans)} orphaned (their quote is not in the body) "
                    f"skipped: {', '.join(plan.skipped_orphans)}"
                )
            if plan.unlinked:
                extras.append(
                    f"{len(plan.unlinked)} linked to a skipped orphan {verb} imported unlinked: "
                    f"{', '.join(plan.unlinked)}"
                )
            sys.stderr.write(
                f"{fmt} file {file}: {counts['created']} {verb} created, {counts['updated']} "
                f"updated, {counts['unchanged']} unchanged, {counts['reanchored']} re-anchored"
                f"{'; ' + '; '.join(extras) if extras else ''} ({progress.seconds:.1f} s).\n"
            )
