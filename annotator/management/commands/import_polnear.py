from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotator import importing, polnear
from annotator.management.bulk import collector_paused
from annotator.management.terminal import Progress, add_quiet_argument


class Command(BaseCommand):
    help = (
        "Import PolNeAR: the articles of the given compartments of DATA_DIR (metadata.tsv, "
        "<compartment>/text and <compartment>/attributions) under their outlets, each "
        "annotator a reviewer who marked their articles done, each attribution relation "
        "an attribution and its content claims (docs/polnear.md). All or nothing; "
        "importing twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("data_dir", help="PolNeAR's data directory.")
        parser.add_argument("compartments", nargs="+", help="e.g. annotator-training train")
        parser.add_argument(
            "--article",
            action="append",
            dest="articles",
            help="Only this article (its file name without .txt); may be repeated.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        add_quiet_argument(parser)

    @collector_paused()
    def handle(self, *args, data_dir, compartments, articles, dry_run, quiet, **options):
        selected = set(articles) if articles else None
        records = polnear.records(Path(data_dir), compartments, selected)
        try:
            with Progress(None, "annotation", quiet) as progress:
                summary = importing.run(records, dry_run=dry_run, progress=progress.update)
        except polnear.MetadataError as error:
            raise CommandError(f"Cannot import PolNeAR: {error}.") from error
        for problem in summary.problems:
            self.stderr.write(problem)
        if summary.problems:
            raise CommandError(
                f"Nothing was imported: {len(summary.problems)} problem(s), listed above."
            )
        if not quiet:
            counts, verb = summary.counts, "would be" if dry_run else "were"
            self.stderr.write(
                f"PolNeAR {' '.join(compartments)}: {counts['articles created']} article(s) "
                f"{verb} created; of {summary.read} span(s), {counts['created']} {verb} created, "
                f"{counts['unchanged']} unchanged; "
                f"{len(summary.new_speakers)} new speaker(s) ({progress.seconds:.1f} s)."
            )
