from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotator.management.terminal import Progress, add_quiet_argument
from annotator.suggestions import building, evaluation, lexicon


class Command(BaseCommand):
    help = (
        "Count cue lemmas on the build part of PolNeAR's train compartment and write the "
        "suggestion engine's lexicon (annotator/suggestions/cue_lexicon.json): counts only, "
        "no corpus text (docs/suggestions.md)."
    )

    def add_arguments(self, parser):
        add_quiet_argument(parser)
        parser.add_argument("--output", default=str(lexicon.PATH), help="The file to write.")
        parser.add_argument("data_dir", help="PolNeAR's data directory.")

    def handle(self, *args, data_dir, output, quiet, **options):
        articles = evaluation.articles(Path(data_dir), ["train"], evaluation.PARTS[0])
        try:
            with Progress(None, "article", quiet) as progress:
                derived = building.lexicon_of(articles, progress.update)
        except evaluation.CorpusError as error:
            raise CommandError(str(error)) from error
        lexicon.write(derived, Path(output))
        if not quiet:
            self.stderr.write(
                f"{len(derived['cues'])} cue lemma(s) written to {output} "
                f"({progress.seconds:.1f} s)."
            )
