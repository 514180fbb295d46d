from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotator.management.terminal import Progress, add_quiet_argument
from annotator.suggestions import evaluation


class Command(BaseCommand):
    help = (
        "Score the suggestion engine against a PolNeAR-style corpus read from its files "
        "(DATA_DIR/<compartment>/text/*.txt and attributions/*.ann): precision, recall and "
        "F1 per label, exact and overlapping (docs/suggestions.md). Stores nothing."
    )

    def add_arguments(self, parser):
        add_quiet_argument(parser)
        parser.add_argument("--part", choices=evaluation.PARTS, help="Only this part's articles.")
        parser.add_argument("data_dir", help="The corpus' data directory.")
        parser.add_argument("compartments", nargs="+", help="e.g. annotator-training train")

    def handle(self, *args, data_dir, compartments, part, quiet, **options):
        corpus = evaluation.articles(Path(data_dir), compartments, part)
        try:
            with Progress(None, "article", quiet) as progress:
                result = evaluation.evaluate(corpus, progress.update)
        except evaluation.CorpusError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(evaluation.table(result))
        if not quiet:
            self.stderr.write(f"Scored in {progress.seconds:.1f} s.")
