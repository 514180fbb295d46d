"""Sources, articles, speakers and the reviewers' annotations over article bodies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import text

REVIEWERS_GROUP = "Reviewers"


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
        """Each article with the reviewer's own annotation count and done state."""
        return self.annotate(
            own_count=models.Count("annotations", filter=Q(annotations__reviewer=reviewer)),
            own_done=models.Exists(
                ArticleReview.objects.filter(
                    article=models.OuterRef("pk"), reviewer=reviewer, done=True
                )
            ),
        )


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
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    word_count = models.PositiveIntegerField(editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["seed_file", "pk"]

    def __str__(self):
        return self.title or f"Untitled ({self.seed_file or self.pk})"

    def save(self, *args, **kwargs):
        self.body = text.normalise_text(self.body)
        self.body_sha256 = text.sha256_hex(self.body)
        self.word_count = text.word_count(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("annotator:article-detail", args=[self.pk])

    @property
    def display_title(self):
        return str(self)


class Affiliation(models.TextChoices):
    GOVERNMENT_NAMED = "government_named", "Government of a named country"
    GOVERNMENT_OTHER = "government_other", "Other government"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental body"
    INDEPENDENT_EXPERT = "independent_expert", "Independent expert"
    CIVIL_SOCIETY = "civil_society", "NGO / civil society"
    MEDIA = "media", "Media or document"
    CITIZEN = "citizen", "Citizen / witness"
    UNKNOWN = "unknown", "Unknown"


class Speaker(models.Model):
    name = models.CharField("canonical name", max_length=200, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other spellings, e.g. Andrey/Andrei Belousov."
    )
    affiliation = models.CharField(
        max_length=30, choices=Affiliation.choices, default=Affiliation.UNKNOWN
    )
    affiliation_detail = models.CharField(
        max_length=200, blank=True, help_text="Which country or body, e.g. Russia."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(affiliation__in=Affiliation.values), name="speaker_affiliation_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            raise ValidationError({"aliases": "Aliases must be a list of names."}, code="invalid")


class Label(models.TextChoices):
    CLAIM = "claim", "Claim"
    OPINION = "opinion", "Opinion"
    ATTRIBUTION = "attribution", "Attribution"


class SpeakerType(models.TextChoices):
    NAMED_PERSON = "named_person", "Named person"
    NAMED_ORGANISATION = "named_organisation", "Named organisation or document"
    UNNAMED_IDENTIFIED = "unnamed_identified", "Unnamed but identified"
    VAGUE = "vague", "Vague"
    NONE = "none", "None (no speaker)"


class CueStance(models.TextChoices):
    NEUTRAL = "neutral", "Neutral"
    ENDORSING = "endorsing", "Endorsing"
    DISTANCING = "distancing", "Distancing"
    INTENSIFYING = "intensifying", "Intensifying"


class QuoteType(models.TextChoices):
    DIRECT = "direct", "Direct"
    INDIRECT = "indirect", "Indirect"
    MIXED = "mixed", "Mixed"


class OpinionType(models.TextChoices):
    EVALUATIVE = "evaluative", "Evaluative"
    PRESCRIPTIVE = "prescriptive", "Prescriptive"
    SPECULATIVE = "speculative", "Speculative"


# Which optional fields belong to which label; everything else must stay empty.
LABEL_FIELDS = {
    Label.ATTRIBUTION: ("speaker", "speaker_type", "cue_stance", "quote_type"),
    Label.CLAIM: ("check_worthy", "hedged", "attribution"),
    Label.OPINION: ("opinion_type", "attribution"),
}
ALL_LABEL_FIELDS = tuple(dict.fromkeys(f for fields in LABEL_FIELDS.values() for f in fields))


class AnnotationQuerySet(models.QuerySet):
    def for_reviewer(self, reviewer):
        return self.filter(reviewer=reviewer)

    def visible_to(self, user):
        """Blind by default: reviewers see their own spans, staff see everyone's."""
        if user.is_staff:
            return self
        return self.filter(reviewer=user)

    def in_text_order(self):
        return self.order_by("start", "-end", "pk")


class Annotation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="annotations")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    label = models.CharField(max_length=20, choices=Label.choices)
    start = models.PositiveIntegerField(help_text="Code point offset into the body, inclusive.")
    end = models.PositiveIntegerField(help_text="Code point offset into the body, exclusive.")
    quote = models.TextField(help_text="body[start:end], filled by the server.")
    prefix = models.CharField(max_length=text.CONTEXT_LENGTH, blank=True)
    suffix = models.CharField(max_length=text.CONTEXT_LENGTH, blank=True)
    note = models.TextField(blank=True, max_length=settings.ANNOTATION_NOTE_MAX_LENGTH)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="annotations"
    )
    speaker_type = models.CharField(max_length=20, choices=SpeakerType.choices, blank=True)
    cue_stance = models.CharField(max_length=20, choices=CueStance.choices, blank=True)
    quote_type = models.CharField(max_length=20, choices=QuoteType.choices, blank=True)
    check_worthy = models.BooleanField(null=True, blank=True)
    hedged = models.BooleanField(null=True, blank=True)
    opinion_type = models.CharField(max_length=20, choices=OpinionType.choices, blank=True)
    attribution = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_spans",
        help_text="The attribution whose scope holds this claim or opinion.",
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "-end", "pk"]
        indexes = [models.Index(fields=["article", "reviewer", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=models.F("end")),
                name="annotation_start_before_end",
            ),
            models.UniqueConstraint(
                fields=["article", "reviewer", "label", "start", "end"],
                name="annotation_unique_span_per_reviewer_label",
                violation_error_message="You already marked this exact span with this label.",
            ),
            models.CheckConstraint(
                condition=Q(label__in=Label.values), name="annotation_label_valid"
            ),
            models.CheckConstraint(
                condition=Q(speaker_type__in=[*SpeakerType.values, ""])
                & Q(cue_stance__in=[*CueStance.values, ""])
                & Q(quote_type__in=[*QuoteType.values, ""])
                & Q(opinion_type__in=[*OpinionType.values, ""]),
                name="annotation_field_choices_valid",
            ),
            models.CheckConstraint(
                condition=Q(label=Label.ATTRIBUTION)
                | Q(speaker__isnull=True, speaker_type="", cue_stance="", quote_type=""),
                name="annotation_attribution_fields_only_on_attributions",
            ),
            models.CheckConstraint(
                condition=Q(label=Label.CLAIM) | Q(check_worthy__isnull=True, hedged__isnull=True),
                name="annotation_claim_fields_only_on_claims",
            ),
            models.CheckConstraint(
                condition=Q(label=Label.OPINION) | Q(opinion_type=""),
                name="annotation_opinion_fields_only_on_opinions",
            ),
            models.CheckConstraint(
                condition=~Q(label=Label.ATTRIBUTION) | Q(attribution__isnull=True),
                name="annotation_attributions_link_to_nothing",
            ),
        ]

    def __str__(self):
        return f"{self.get_label_display()} {self.start}–{self.end}: {self.quote[:60]}"

    def anchor(self):
        """Fill quote and context from the body, so they always agree with the offsets."""
        body = self.article.body
        self.quote = body[self.start : self.end]
        self.prefix, self.suffix = text.context(body, self.start, self.end)

    def anchor_and_check(self, expected_quote=None):
        """Fill quote and context from the body, then check every invariant.

        ``expected_quote`` is what the client believes it selected; a mismatch
        means its copy of the body differs from ours, so nothing is stored.
        """
        body_length = len(self.article.body)
        if self.start is not None and self.start >= body_length:
            raise ValidationError(
                {"start": f"The start ({self.start}) is past the body ({body_length} characters)."},
                code="out_of_range",
            )
        self.anchor()
        if expected_quote is not None and expected_quote != self.quote:
            raise ValidationError(
                {"quote": f"The quote does not match the body at {self.start}–{self.end}."},
                code="mismatch",
            )
        self.full_clean()

    def clean(self):
        errors = {}
        body_length = len(self.article.body)
        if self.start is not None and self.end is not None:
            if self.start >= self.end:
                errors["end"] = "The end must be after the start."
            elif self.end > body_length:
                errors["end"] = f"The end ({self.end}) is past the body ({body_length} characters)."
            elif self.quote != self.article.body[self.start : self.end]:
                errors["quote"] = "The quote does not match the body at these offsets."
        own_fields = LABEL_FIELDS.get(self.label, ())
        for field in ALL_LABEL_FIELDS:
            if field not in own_fields and self._field_is_set(field):
                errors[field] = f"{field} is not a field of a {self.label}."
        if self.attribution_id is not None and self.label != Label.ATTRIBUTION:
            link = self.attribution
            if link.label != Label.ATTRIBUTION:
                errors["attribution"] = "A link must point to an attribution."
            elif link.article_id != self.article_id:
                errors["attribution"] = "The linked attribution belongs to another article."
            elif link.reviewer_id != self.reviewer_id:
                errors["attribution"] = "The linked attribution belongs to another reviewer."
        if errors:
            raise ValidationError(errors, code="invalid")

    def _field_is_set(self, field):
        return getattr(self, self._meta.get_field(field).attname) not in (None, "")

    def clear_fields_of_other_labels(self):
        """When a span changes label, fields of the old label no longer mean anything."""
        own_fields = LABEL_FIELDS.get(self.label, ())
        for field in ALL_LABEL_FIELDS:
            if field not in own_fields:
                model_field = self._meta.get_field(field)
                setattr(self, model_field.attname, None if model_field.null else "")


class ArticleReview(models.Model):
    """One reviewer's state on one article: whether they marked it done."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_reviews"
    )
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="article_review_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(done=False) | Q(done_at__isnull=False),
                name="article_review_done_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.article}: {'done' if self.done else 'in progress'}"

    def set_done(self, done: bool):
        """Record when the reviewer finished, so exports can tell final work from drafts."""
        self.done = done
        self.done_at = timezone.now() if done else None
        self.save(update_fields=["done", "done_at"])
