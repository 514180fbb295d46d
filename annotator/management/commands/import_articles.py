from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator.models import Article, Source
from annotator.pagetext import parse_page_text
from annotator.text import normalise_text, sha256_hex

UNIDENTIFIED_SOURCE = "Unidentified outlet"


class Command(BaseCommand):
    help = (
        "Import news articles from raw page-text files (or folders of .txt files): "
        "title, author, date and outlet are kept only where the text shows them, and "
        "articles already present (same body hash) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Text files, or folders holding .txt files.")

    def handle(self, *args, paths, **options):
        files = self._collect(paths)
        pages = []
        for path in files:
            try:
                raw = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as error:
                raise CommandError(f"{path} is not UTF-8 text ({error.reason}).") from error
            page = parse_page_text(raw)
            if not page.body:
                raise CommandError(f"{path} holds no article text.")
            pages.append((path, page))

        imported = skipped = 0
        with transaction.atomic():
            for path, page in pages:
                digest = sha256_hex(normalise_text(page.body))
                if Article.objects.filter(body_sha256=digest).exists():
                    skipped += 1
                    self.stdout.write(f"Skipped {path.name}: an article with this body exists.")
                    continue
                Article.objects.create(
                    source=self._source_for(page.outlet),
                    title=page.title,
                    author=page.author,
                    published=page.published,
                    date_shown=page.date_shown,
                    dateline=page.dateline,
                    seed_file=path.name,
                    body=page.body,
                )
                imported += 1
        self.stdout.write(f"Imported {imported} article(s), skipped {skipped} already present.")

    def _collect(self, paths):
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files.extend(sorted(path.glob("*.txt")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{name} is neither a file nor a folder.")
        if not files:
            raise CommandError("No .txt files were found in the given paths.")
        return files

    def _source_for(self, outlet):
        if outlet:
            return Source.objects.get_or_create(name=outlet, defaults={"identified": True})[0]
        return Source.objects.get_or_create(
            name=UNIDENTIFIED_SOURCE, defaults={"identified": False}
        )[0]
