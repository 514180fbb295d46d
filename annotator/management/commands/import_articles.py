import codecs
import hashlib
import io
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import orjson
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator import importing
from annotator.htmlcharset import UndecodablePage, decode_page
from annotator.management.terminal import Progress, add_quiet_argument
from annotator.management.users import add_user_argument, named_user
from annotator.models import Article, Source
from annotator.pagehtml import parse_page_html
from annotator.pagetext import PageText, parse_page_text
from annotator.text import normalise_text, sha256_hex

UNIDENTIFIED_SOURCE = "Unidentified outlet"
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = (".txt", *JSON_SUFFIXES, *HTML_SUFFIXES)
TEXT_FIELDS = ("title", "author", "date_shown", "dateline")
# What a changed copy of a saved page may update: each only where the new copy shows it.
PAGE_FIELDS = (*TEXT_FIELDS, "published", "canonical_url")
NULL = importing.NULL
# What JSON type each field of a record must have when it is there at all.
RECORD_SHAPE = {
    **dict.fromkeys((*TEXT_FIELDS, "seed_file", "body"), (str,)),
    "published": (str, NULL),
    "source": (str, dict, NULL),  # a name, or an object with its name
}
SOURCE_SHAPE = {"name": (str,), "domain": (str,), "identified": (bool,)}
PUBLISHED = Article._meta.get_field("published")
ARTICLE_LIMITS = {
    name: importing.text_validators(Article, name) for name in (*TEXT_FIELDS, "seed_file", "body")
}
SOURCE_LIMITS = {name: importing.text_validators(Source, name) for name in ("name", "domain")}


@dataclass
class Record:
    """One article to import, or why it cannot be: ``where`` names it in messages."""

    where: str
    seed_file: str = ""
    page: PageText | None = None
    source: dict | None = None
    problem: str = ""
    html: str = ""  # a saved page's text, read as ``encoding``
    encoding: str = ""
    sha256: str = ""  # of the saved page file's bytes


class Command(BaseCommand):
    help = (
        "Import news articles from raw page-text files like the seeds, from JSON / JSON "
        "Lines records with metadata (title, author, published, date_shown, dateline, source, "
        "body), from saved web pages (.html, .htm; the page is kept as the article's "
        "snapshot), or from folders of such files. Title, author, date and outlet are kept only "
        "where given; bodies are normalised (NFC, \\n); articles already present (same body "
        "hash) are skipped. A changed copy of a page already imported (same canonical address, "
        "else same outlet and title) updates its article: spans re-anchored, orphans flagged, "
        "the earlier text kept as a revision, metadata updated where the new copy shows it."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders holding them.")
        add_user_argument(parser, "the articles created or changed (and their re-anchored spans)")
        add_quiet_argument(parser)

    def handle(self, *args, paths, quiet, user, **options):
        self.user = named_user(user, "nothing was imported.")
        records, problems = [], []
        for record in chain.from_iterable(map(self._read, self._collect(paths))):
            if not record.problem:
                records.append(record)
                continue
            problems.append(f"{record.where}: {record.problem}")
            if len(problems) > importing.REFUSED_LIMIT:
                break  # reading on would only hold more of a file already refused
        if problems:
            for problem in problems[: importing.REFUSED_LIMIT]:
                self.stderr.write(problem)
            more = " at least" if len(problems) > importing.REFUSED_LIMIT else ""
            raise CommandError(
                f"Nothing was imported:{more} {min(len(problems), importing.REFUSED_LIMIT)} "
                "record(s) are invalid (listed above)."
            )
        outcomes = dict.fromkeys(("imported", "updated", "skipped"), 0)
        with Progress(len(records), "article", quiet) as progress, transaction.atomic():
            for record in records:
                outcome, message = self._store(record)
                outcomes[outcome] += 1
                if message and not quiet:
                    self.stdout.write(message)
                progress.update(1)
        if not quiet:
            self.stdout.write(
                f"Imported {outcomes['imported']} article(s), updated {outcomes['updated']}, "
                f"skipped {outcomes['skipped']} already present ({progress.seconds:.1f} s)."
            )

    def _store(self, record):
        """Create, update or skip the record's article: (what was done, what to say)."""
        body = normalise_text(record.page.body).strip()
        earlier = self._earlier_copy(record)
        if earlier is not None and earlier.body == body:
            if earlier.snapshot_sha256 == record.sha256:
                return "skipped", f"Unchanged {record.where}: article {earlier.pk} has this page."
            return self._update_details(earlier, record)
        if Article.objects.filter(body_sha256=sha256_hex(body)).exists():
            return "skipped", f"Skipped {record.where}: an article with this body exists."
        article = earlier or Article(
            source=self._source_for(record.source), seed_file=record.seed_file
        )
        for name in PAGE_FIELDS:
            # A changed copy updates only what it shows; a new article takes what it has.
            value = getattr(record.page, name)
            if earlier is None or value:
                setattr(article, name, value)
        if record.html:
            article.snapshot_sha256 = record.sha256
        if earlier is None:
            article.body = body
            article._history_user = self.user
            article.save()
            outcome, message = "imported", (f"Created {record.where}." if record.html else "")
        else:
            _kept, moved, orphaned = article.replace_body(body, self.user)
            outcome = "updated"
            message = (
                f"Updated {record.where} (article {article.pk}): {moved} span(s) re-anchored, "
                f"{orphaned} orphaned."
            )
        if record.html:
            article.keep_page(record.html, record.encoding)
        return outcome, message

    def _update_details(self, article, record):
        """A copy of a saved page with the stored text but another page: the details it
        shows that differ are updated (with a history row, so the article page lists
        them), and the page is kept."""
        changed = [
            name
            for name in PAGE_FIELDS
            if (value := getattr(record.page, name)) and value != getattr(article, name)
        ]
        for name in changed:
            setattr(article, name, getattr(record.page, name))
        article.snapshot_sha256 = record.sha256
        article._history_user = self.user
        article.save()
        article.keep_page(record.html, record.encoding)
        details = ", ".join(name.replace("_", " ") for name in changed)
        what = f"the same text, a new {details}" if changed else "the same text and details"
        return "updated", f"Updated {record.where} (article {article.pk}): {what}; page kept."

    def _earlier_copy(self, record):
        """The article an earlier copy of this saved page made: the same canonical address,
        else the same identified outlet and title."""
        if not record.html:
            return None
        page = record.page
        if page.canonical_url:
            same_address = Article.objects.filter(canonical_url=page.canonical_url).first()
            if same_address is not None:
                return same_address
        if not (record.source and page.title):
            return None
        return Article.objects.filter(
            source__name=record.source["name"], source__identified=True, title=page.title
        ).first()

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
            raise CommandError(
                "No .txt, .json, .jsonl or .html files were found in the given paths."
            )
        return files

    def _read(self, path):
        data = path.read_bytes()
        if path.suffix.lower() in HTML_SUFFIXES:
            return [self._from_html(path, data)]
        raw = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = raw.decode()
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason}).") from error
        if path.suffix in JSON_SUFFIXES or text.lstrip()[:1] in ("{", "["):
            return self._records(path, raw)
        page = parse_page_text(text)
        if not page.body:
            raise CommandError(f"{path} holds no article text.")
        return [self._checked(path.name, path.name, page, None)]

    def _from_html(self, path, data):
        """The saved page's record: its text read in the encoding it declares (else UTF-8,
        else windows-1252), its article and metadata, and the page kept as read."""
        try:
            decoded = decode_page(data)
        except UndecodablePage as error:
            raise CommandError(f"{path} cannot be read: {error}.") from error
        if "\x00" in decoded.text:
            raise CommandError(f"{path} holds a NUL character, which no text field can store.")
        page = parse_page_html(decoded.text.removeprefix("\ufeff"))
        if not page.body:
            raise CommandError(
                f"{path} holds no article text: no paragraph of prose was found in the page."
            )
        record = self._checked(path.name, path.name, page, None)
        record.html, record.encoding = decoded.text, decoded.encoding
        record.sha256 = hashlib.sha256(data).hexdigest()
        return record

    def _records(self, path, raw):
        """Each record of a JSON file (an object or a list of them) or a JSON Lines file.

        orjson refuses lone surrogates and nesting deeper than 1024; JSON Lines
        are read one line at a time, breaking at newlines only.
        """
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            numbered, unit = self._lines(path, raw), "line"
        else:
            records = document if isinstance(document, list) else [document]
            numbered, unit = enumerate(records, 1), "record"
        for number, record in numbered:
            yield self._from_record(f"{path.name} {unit} {number}", path.name, record)

    def _lines(self, path, raw):
        for number, line in enumerate(io.BytesIO(raw), 1):
            if not line.strip():
                continue
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise CommandError(
                    f"{path} is neither JSON nor JSON Lines (line {number}: {error.msg})."
                ) from error

    def _from_record(self, where, file_name, record):
        if type(record) is not dict:
            kind = importing.KIND_WORDS[type(record)]
            return Record(where, problem=f"it must be an object, not {kind}")
        source = record.get("source")
        if isinstance(source, str):
            source = {"name": source}
        problem = importing.wrong_shape(record, RECORD_SHAPE) or importing.wrong_shape(
            source or {}, SOURCE_SHAPE, "source."
        )
        if problem:
            return Record(where, problem=problem)
        if not record.get("body", "").strip():
            return Record(where, problem="it has no body text")
        if source is not None and "name" not in source:
            return Record(where, problem="its source must be a name or an object with a name")
        try:
            published = PUBLISHED.to_python(record.get("published"))
        except ValidationError as error:
            return Record(where, problem=f"published: {' '.join(error.messages)}")
        page = PageText(
            **{name: record.get(name, "") for name in TEXT_FIELDS},
            published=published,
            body=record["body"],
        )
        return self._checked(where, record.get("seed_file") or file_name, page, source)

    def _checked(self, where, seed_file, page, source):
        """The record, with the first value the models refuse (NUL characters, too long)."""
        if source is None and page.outlet:
            source = {"name": page.outlet}
        texts = {name: getattr(page, name) for name in (*TEXT_FIELDS, "body")}
        article_problems = (
            importing.limit_problem(ARTICLE_LIMITS[name], value, name)
            for name, value in {**texts, "seed_file": seed_file}.items()
        )
        source_problems = (
            importing.limit_problem(SOURCE_LIMITS[name], source[name], f"source.{name}")
            for name in SOURCE_LIMITS
            if name in (source or {})
        )
        problem = next(filter(None, chain(article_problems, source_problems)), "")
        return Record(where, seed_file, page, source, problem)

    def _source_for(self, source):
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
