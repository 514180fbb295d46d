from django.core.management import call_command
from django.core.management.base import BaseCommand

from annotator.models import Article


class Command(BaseCommand):
    help = (
        "Load the seed articles fixture into an empty database; a database that "
        "already holds articles is left as it is, so re-running never overwrites edits."
    )

    def handle(self, *args, **options):
        if Article.objects.exists():
            count = Article.objects.count()
            self.stdout.write(
                f"{count} article(s) already stored; the seed fixture was not loaded."
            )
            return
        call_command("loaddata", "seed_articles", stdout=self.stdout)
