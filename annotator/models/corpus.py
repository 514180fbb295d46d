"""The corpus: outlets, their articles, and the speakers articles quote."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

from .. import text
from ..search import containing
from .checks import one_of


class Source(models.Model):
    """The outlet that published an article; unidentified when the text does not show it."""

    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=200, blank=True)
    identified = models.BooleanField(
        default=True,
        help_text="False when the article text does not show its outlet; summaries show it apart.",
    )

    class Meta:
        ordering = ["-identified", "name"]

    def __str__(self):
        return self.name if self.identified else f"{self.name} (unidentified)"

    def get_absolute_url(self):
        return reverse("annotator:source-detail", args=[self.pk])


class ArticleQuerySet(models.QuerySet):
    def with_reviewer_progress(self, reviewer):
        """Each article with the reviewer's own raw span count and done state (subqueries,
        so a page of articles counts only its own)."""
        from .spans import Annotation  # the span and workflow models build on articles
        from .workflow import ArticleReview

        own_spans = Annotation.objects.filter(
            article=models.OuterRef("pk"), reviewer=reviewer, layer="raw"
        )
        return self.annotate(
            own_count=_count(own_spans),
            own_done=models.Exists(
                ArticleReview.objects.filter(
                    article=models.OuterRef("pk"), reviewer=reviewer, done=True
                )
            ),
        )

    def with_queue(self, reviewer):
        """Each article with whether it is in ``reviewer``'s queue."""
        from .workflow import Assignment

        return self.annotate(
            in_queue=models.Exists(
                Assignment.objects.filter(article=models.OuterRef("pk"), reviewer=reviewer)
            )
        )

    def with_assignment_progress(self):
        """Each article with how many reviewers it was dealt to and how many of them are done."""
        from .workflow import Assignment

        dealt = Assignment.objects.filter(article=models.OuterRef("pk"))
        return self.annotate(
            assigned=_count(dealt), assigned_done=_count(dealt.with_done().filter(is_done=True))
        )

    def search(self, words):
        """Articles holding every word of ``words`` (any case) in their title, author, source
        name or text."""
        articles = self
        for word in words.split():
            articles = articles.filter(
                containing(word, ("title", "author", "source__name", "body"))
            )
        return articles


# The details an article shows beside its text, which an outlet may change quietly too.
SHOWN_DETAILS = ("title", "author", "published", "date_shown", "dateline")


def _details_changed(earlier, later):
    """(name, before, after) of each shown detail two versions of an article differ in."""
    return [
        (Article._meta.get_field(name).verbose_name, before, after)
        for name in SHOWN_DETAILS
        if (before := getattr(earlier, name)) != (after := getattr(later, name))
    ]


def _count(queryset):
    """How many rows ``queryset`` (correlated to an outer article) holds, as a subquery."""
    counted = queryset.order_by().values("article").annotate(n=models.Count("pk")).values("n")
    return Coalesce(models.Subquery(counted), 0)


@dataclass
class Revision:
    """One change of an article's body or of the details it shows (title, byline, date):
    when, by whom, the (removed, added) passages of the body, each changed detail as
    (its name, before, after), and the saved pages (``PageSnapshot``, without their HTML)
    the article came from before and after, where it came from one."""

    when: datetime
    user: object
    changes: list[tuple[str, str]]
    details: list[tuple[str, str, str]]
    page_before: "PageSnapshot | None" = None
    page_after: "PageSnapshot | None" = None

    @property
    def words_changed(self):
        return sum(max(len(old.split()), len(new.split())) for old, new in self.changes)


class Article(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    date_shown = models.CharField(
        max_length=100, blank=True, help_text="The date exactly as the text shows it, even partial."
    )
    dateline = models.CharField(max_length=200, blank=True)
    seed_file = models.CharField(max_length=255, blank=True)
    canonical_url = models.CharField(
        max_length=2000, blank=True, help_text="The page's own address (its canonical link)."
    )
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    word_count = models.PositiveIntegerField(editable=False)
    opening = models.CharField(
        max_length=text.OPENING_LENGTH,
        editable=False,
        default="",
        help_text="The body's first words: what the article is listed as when it has no title.",
    )

    snapshot_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the saved page file the body was extracted from; the page "
        "itself is its PageSnapshot.",
    )

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["seed_file", "pk"]

    def __str__(self):
        return self.title or self.opening

    def save(self, *args, **kwargs):
        self.body = text.normalise_text(self.body)
        self.body_sha256 = text.sha256_hex(self.body)
        self.word_count = text.word_count(self.body)
        self.opening = text.opening_words(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("annotator:article-detail", args=[self.pk])

    def paragraphs(self):
        """The body's non-empty lines with the code-point offset each starts at."""
        return text.paragraphs(self.body)

    @property
    def display_title(self):
        return str(self)

    @property
    def page_snapshot(self):
        """The saved page the current body was extracted from, or None."""
        if not self.snapshot_sha256:
            return None
        return self.page_snapshots.filter(sha256=self.snapshot_sha256).first()

    def keep_page(self, html, encoding):
        """Store the saved page the body was extracted from, the one ``snapshot_sha256``
        names (``html``: the file's bytes read as ``encoding``), once however often it is
        imported again."""
        PageSnapshot.objects.get_or_create(
            article=self, sha256=self.snapshot_sha256, defaults={"html": html, "encoding": encoding}
        )

    def revisions(self):
        """The changes of this article's body and shown details, newest first: each with
        when it was recorded, who made it, the passages removed and added, the details
        changed, and the saved pages before and after (one more query, only when the
        article has any)."""
        versions = list(
            self.history.select_related("history_user").order_by("history_date", "history_id")
        )
        pages = {}
        if any(version.snapshot_sha256 for version in versions):
            pages = {page.sha256: page for page in self.page_snapshots.defer("html")}
        return [
            Revision(
                when=later.history_date,
                user=later.history_user,
                changes=text.word_changes(earlier.body, later.body),
                details=details,
                page_before=pages.get(earlier.snapshot_sha256),
                page_after=pages.get(later.snapshot_sha256),
            )
            for earlier, later in zip(versions, versions[1:], strict=False)
            if (details := _details_changed(earlier, later)) or earlier.body != later.body
        ][::-1]

    def replace_body(self, body, user=None):
        """Store ``body`` (with this article's other fields as they stand) in place of the
        current one, and re-anchor every span by its quote and context.

        A span whose quote is still at its offsets stays; one found elsewhere moves; one
        that cannot be placed is flagged orphaned, never dropped. Each span and the article
        get a history row naming ``user`` (None: nobody); the figures of the touched units
        are refreshed once, in the same transaction. Returns how many spans were (kept,
        moved, orphaned).
        """
        from ..profiles import storage  # the figures build on the models
        from .spans import Annotation

        counts = {"kept": 0, "moved": 0, "orphaned": 0}
        with transaction.atomic(), storage.batched():
            self.body = text.normalise_text(body)
            self._history_user = user
            self.save()
            for span in Annotation.objects.filter(article=self):
                span.article = self
                counts[_reanchored(span, self.body)] += 1
                span._history_user = user
                span.save()
        return counts["kept"], counts["moved"], counts["orphaned"]


class PageSnapshot(models.Model):
    """A saved web page an article's body was extracted from, kept once per article and
    page: the article's history names it by ``sha256`` (``Article.snapshot_sha256``).

    Like the article's history rows, a snapshot outlives its article: the link is not a
    database constraint, and deleting the article leaves its pages.
    """

    article = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="page_snapshots",
    )
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the saved page file's bytes.")
    html = models.TextField(
        help_text="The page as text: the file's bytes read in the encoding below."
    )
    encoding = models.CharField(
        max_length=40,
        help_text="Python's name for the encoding the file was read in; the HTML encoded in "
        "it gives the file's bytes back.",
    )
    imported = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["imported", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "sha256"], name="page_snapshot_once"),
        ]

    def __str__(self):
        return f"page {self.sha256[:12]}"


def _reanchored(span, body):
    """Place ``span`` in the new ``body``: "kept", "moved" or "orphaned"."""
    if body[span.start : span.end] == span.quote:
        outcome = "kept"
    else:
        start = text.reanchor(body, span.quote, span.prefix, span.suffix, span.start)
        if start is None:
            span.orphaned = True
            return "orphaned"
        span.start, span.end = start, start + len(span.quote)
        outcome = "moved"
    span.orphaned = False
    span.anchor()
    return outcome


class Affiliation(models.TextChoices):
    GOVERNMENT_NAMED = "government_named", "Government of a named country"
    GOVERNMENT_OTHER = "government_other", "Other government"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental body"
    INDEPENDENT_EXPERT = "independent_expert", "Independent expert"
    CIVIL_SOCIETY = "civil_society", "NGO / civil society"
    MEDIA = "media", "Media or document"
    CITIZEN = "citizen", "Citizen / witness"
    UNKNOWN = "unknown", "Unknown"


SPEAKER_NAME_MAX_LENGTH = 200
# A speaker's other spellings: a handful is normal, and every one is sent to
# whoever searches for the speaker.
SPEAKER_ALIASES_MAX = 20


def validate_aliases(aliases):
    """Aliases are a list of at most SPEAKER_ALIASES_MAX names, each one a non-blank
    name no longer than a canonical name."""
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValidationError("Aliases must be a list of names.", code="invalid")
    if len(aliases) > SPEAKER_ALIASES_MAX:
        raise ValidationError(
            f"A speaker has at most {SPEAKER_ALIASES_MAX} aliases, not {len(aliases)}.",
            code="max_length",
        )
    for number, alias in enumerate(aliases, start=1):
        if not alias.strip():
            raise ValidationError(f"Alias {number} is blank.", code="blank")
        if len(alias) > SPEAKER_NAME_MAX_LENGTH:
            raise ValidationError(
                f"Alias {number} has {len(alias)} characters; "
                f"at most {SPEAKER_NAME_MAX_LENGTH} are allowed.",
                code="max_length",
            )


class SpeakerQuerySet(models.QuerySet):
    def matching(self, query):
        """Speakers whose name or one of whose aliases contains ``query``, ignoring case.

        Aliases are searched in their stored JSON text, with ``query`` written as JSON
        writes a string's inside (quotes and backslashes escaped, so a query never
        matches the punctuation between two aliases): as PostgreSQL keeps it (letters
        as they are) and as SQLite keeps it (non-ASCII letters as \\u escapes).
        SQLite ignores the case of ASCII letters only.
        """
        as_json = {json.dumps(query, ensure_ascii=escaped)[1:-1] for escaped in (False, True)}
        aliases = Q()
        for text_in_json in as_json:
            aliases |= Q(aliases__icontains=text_in_json)
        return self.filter(Q(name__icontains=query) | aliases)


class Speaker(models.Model):
    name = models.CharField("canonical name", max_length=SPEAKER_NAME_MAX_LENGTH, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other spellings, e.g. Andrey/Andrei Belousov."
    )
    affiliation = models.CharField(
        max_length=30, choices=Affiliation.choices, default=Affiliation.UNKNOWN
    )
    affiliation_detail = models.CharField(
        max_length=200, blank=True, help_text="Which country or body, e.g. Russia."
    )
    history = HistoricalRecords()

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("affiliation", Affiliation.values),
                name="speaker_affiliation_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def merge(self, duplicates):
        """Fold duplicate records into this one.

        Every annotation moves here (each with a history row) and each
        duplicate's names become aliases, so nothing a reviewer recorded is lost
        when the duplicates go. Raises ValidationError, changing nothing, when
        the names would exceed the alias limits.
        """
        duplicates = [duplicate for duplicate in duplicates if duplicate.pk != self.pk]
        known = {self.name.casefold(), *(alias.casefold() for alias in self.aliases)}
        aliases = list(self.aliases)
        for name in (name for d in duplicates for name in [d.name, *d.aliases]):
            if name.casefold() not in known:
                known.add(name.casefold())
                aliases.append(name)
        validate_aliases(aliases)
        with transaction.atomic():
            for duplicate in duplicates:
                moved = list(duplicate.annotations.all())
                for annotation in moved:
                    annotation.speaker = self
                bulk_update_with_history(moved, duplicate.annotations.model, ["speaker"])
                duplicate.delete()
            self.aliases = aliases
            self.save(update_fields=["aliases"])

    def clean(self):
        # Checked here, not as a field validator, so that migrations never import this module.
        try:
            validate_aliases(self.aliases)
        except ValidationError as error:
            raise ValidationError({"aliases": error.messages}, code=error.code) from error
