from django.core.management.base import BaseCommand

from annotator.models import Article
from annotator.profiles import storage


class Command(BaseCommand):
    help = (
        "Recompute every article's precomputed figures (each reviewer's and the adjudicated "
        "layer's, and reviewer agreement) from the stored spans. Writes keep them true; run "
        "this after restoring a database or migrating one that held spans before the figures "
        "were stored (or accepted suggestions before their figures by hand were)."
    )

    def handle(self, *args, **options):
        articles = list(Article.objects.values_list("pk", flat=True))
        storage.refresh(articles, with_agreement=True)
        self.stdout.write(f"Recomputed the figures of {len(articles)} article(s).")
