import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.dateparse import parse_date

from annotator.management.terminal import Progress, add_quiet_argument
from annotator.models import Article, Source
from annotator.pagetext import PageText, parse_page_text
from annotator.text import normalise_text, sha256_hex

UNIDENTIFIED_SOURCE = "Unidentified outlet"
SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")


class Command(BaseCommand):
    help = (
        "Import news articles from raw page-text files like the seeds, or from JSON / JSON "
        "Lines records with metadata (title, author, published, date_shown, dateline, source, "
        "body), or from folders of such files. Title, author, date and outlet are kept only "
        "where given; bodies are normalised (NFC, \\n); articles already present (same body "
        "hash) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders holding them.")
        add_quiet_argument(parser)

    def handle(self, *args, paths, quiet, **options):
        pages = []
        for path in self._collect(paths):
            pages.extend(self._read(path))
        imported = skipped = 0
        with Progress(len(pages), "article", quiet) as progress, transaction.atomic():
            for where, seed_file, page, source in pages:
                body = normalise_text(page.body).strip()
                if Article.objects.filter(body_sha256=sha256_hex(body)).exists():
                    skipped += 1
                    if not quiet:
                        self.stdout.write(f"Skipped {where}: an article with this body exists.")
                else:
                    Article.objects.create(
                        source=self._source_for(page, source),
                        title=page.title,
                        author=page.author,
                        published=page.published,
                        date_shown=page.date_shown,
                        dateline=page.dateline,
                        seed_file=seed_file,
                        body=body,
                    )
                    imported += 1
                progress.update(1)
        if not quiet:
            self.stdout.write(
                f"Imported {imported} article(s), skipped {skipped} already present "
                f"({progress.seconds:.1f} s)."
            )

    def _collect(self, paths):
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{name} is neither a file nor a folder.")
        if not files:
            raise CommandError("No .txt, .json or .jsonl files were found in the given paths.")
        return files

    def _read(self, path):
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason}).") from error
        if path.suffix in (".json", ".jsonl", ".ndjson") or raw.lstrip()[:1] in ("{", "["):
            return [
                (f"{path.name} record {n}", record.get("seed_file") or path.name, page, source)
                for n, (record, page, source) in enumerate(self._records(path, raw), 1)
            ]
        page = parse_page_text(raw)
        if not page.body:
            raise CommandError(f"{path} holds no article text.")
        return [(path.name, path.name, page, None)]

    def _records(self, path, raw):
        try:
            document = json.loads(raw)
            records = document if isinstance(document, list) else [document]
        except json.JSONDecodeError:
            try:
                records = [json.loads(line) for line in raw.splitlines() if line.strip()]
            except json.JSONDecodeError as error:
                raise CommandError(
                    f"{path} is neither JSON nor JSON Lines ({error.msg})."
                ) from error
        for number, record in enumerate(records, 1):
            yield record, *self._page_from(path, number, record)

    def _page_from(self, path, number, record):
        where = f"{path} record {number}"
        if not isinstance(record, dict):
            raise CommandError(f"{where} is not a JSON object.")
        body = record.get("body")
        if not isinstance(body, str) or not body.strip():
            raise CommandError(f"{where} has no body text.")
        text_fields = ("title", "author", "date_shown", "dateline")
        for name in text_fields:
            if not isinstance(record.get(name, ""), str):
                raise CommandError(f"{where}: {name} must be text.")
        published = record.get("published")
        if published is not None and (not isinstance(published, str) or not parse_date(published)):
            raise CommandError(f"{where}: published must be a date like 2025-05-28 or null.")
        source = record.get("source")
        if isinstance(source, str):
            source = {"name": source}
        if source is not None and not (
            isinstance(source, dict) and isinstance(source.get("name"), str)
        ):
            raise CommandError(f"{where}: source must be a name or an object with a name.")
        page = PageText(
            **{name: record.get(name, "") for name in text_fields},
            published=parse_date(published) if published else None,
            body=body,
        )
        return page, source

    def _source_for(self, page, source):
        if source is None and page.outlet:
            source = {"name": page.outlet}
        if source:
            return Source.objects.get_or_create(
                name=source["name"],
                defaults={
                    "domain": source.get("domain", ""),
                    "identified": source.get("identified", True),
                },
            )[0]
        return Source.objects.get_or_create(
            name=UNIDENTIFIED_SOURCE, defaults={"identified": False}
        )[0]
