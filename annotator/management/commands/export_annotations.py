from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator import exporting
from annotator.models import Annotation, Label


class Command(BaseCommand):
    help = (
        "Write annotations as versioned JSON (the same document as /api/export/), "
        "to standard output or a file, optionally filtered."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument("--source", type=int, help="Only articles of this source id.")
        parser.add_argument("--article", type=int, help="Only this article id.")
        parser.add_argument("--reviewer", help="Only this reviewer's username.")
        parser.add_argument("--label", choices=Label.values, help="Only this label.")

    def handle(self, *args, output, **options):
        filters = {name: options[name] for name in exporting.FILTERS if options[name] is not None}
        reviewer = filters.get("reviewer")
        if reviewer and not get_user_model().objects.filter(username=reviewer).exists():
            raise CommandError(f"There is no reviewer called {reviewer!r}.")
        document = exporting.build_export(
            exporting.export_queryset(Annotation.objects.all(), **filters), filters
        )
        payload = exporting.dumps(document)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(payload)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
            articles = document["articles"]
            count = sum(len(article["annotations"]) for article in articles)
            self.stderr.write(
                f"Wrote {count} annotation(s) from {len(articles)} article(s) to {output}."
            )
        else:
            self.stdout.write(payload, ending="")
