"""Reviewers' spans over article bodies, with the fields each label carries."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .. import span_schema, text
from .checks import one_of
from .corpus import Article, Speaker


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


class Layer(models.TextChoices):
    RAW = "raw", "Reviewer's own"
    ADJUDICATED = "adjudicated", "Adjudicated"


# Which optional fields belong to which label (span_schema); everything else stays empty.
LABEL_FIELDS = {label: span_schema.fields_of(label) for label in Label}


def _fields_only_on_their_labels():
    """One check per set of labels owning fields: a span of any other label leaves them empty."""
    owned = {}
    for field in span_schema.LABEL_FIELDS:
        owned.setdefault(field.labels, []).append(field)
    return [
        models.CheckConstraint(
            condition=one_of("label", labels) | Q(**dict(map(_unanswered, fields))),
            name=f"annotation_fields_only_on_{'_'.join(labels)}",
        )
        for labels, fields in owned.items()
    ]


def _unanswered(field):
    """The lookup and value that hold when ``field`` is left empty."""
    if field.empty is None:
        return f"{field.name}__isnull", True
    return field.name, field.empty


ENGINE_IDENTITY_MAX_LENGTH = 100
# A suggestion engine's identity, "name/version": each part letters, digits and . _ + -.
validate_engine_identity = RegexValidator(
    r"\A[A-Za-z0-9._+-]+/[A-Za-z0-9._+-]+\Z",
    'Give the suggestion engine as "name/version" (letters, digits and . _ + - on each '
    "side of one slash).",
    code="engine_identity",
)


BY_HAND = Q(suggested_by="")  # spans the reviewer marked themselves
SUGGESTED = ~BY_HAND  # spans from an engine's suggestion the reviewer accepted


class AnnotationQuerySet(models.QuerySet):
    def for_reviewer(self, reviewer):
        """A reviewer's own raw spans (not what they adjudicated as staff)."""
        return self.filter(reviewer=reviewer, layer=Layer.RAW)

    def visible_to(self, user):
        """Blind by default: reviewers see their own spans, staff see every layer."""
        if user.is_staff:
            return self
        return self.for_reviewer(user)

    def placed(self):
        """Spans whose quote stands at their offsets (not orphaned by a body change)."""
        return self.filter(orphaned=False)

    def raw(self):
        return self.filter(layer=Layer.RAW)

    def adjudicated(self):
        return self.filter(layer=Layer.ADJUDICATED)

    def accepted_suggestion_counts(self):
        """Per reviewer (by username, in order): how many of these spans there are, and
        how many of them are suggestions the reviewer accepted. Suggestions rejected or
        never acted on are not stored, so nothing here counts them."""
        return (
            self.values("reviewer__username")
            .annotate(spans=models.Count("pk"), accepted=models.Count("pk", filter=SUGGESTED))
            .order_by("reviewer__username")
        )

    def in_text_order(self):
        return self.order_by("start", "-end", "pk")

    def delete(self):
        """Delete these spans; claims and opinions linked to one of them, and not deleted
        with them, are unlinked first (see :meth:`Annotation.release_linked_spans`)."""
        with transaction.atomic():
            _unlink(Annotation.objects.filter(attribution__in=self).exclude(pk__in=self))
            return super().delete()


class Annotation(models.Model):
    # No index of its own: the unique span and the page's index both begin with the article.
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="annotations", db_index=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    layer = models.CharField(
        max_length=20,
        choices=Layer.choices,
        default=Layer.RAW,
        help_text="A reviewer's own span, or staff's adjudicated one.",
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
    counter_voice = models.BooleanField(
        "counter-voice",
        null=True,
        blank=True,
        help_text="The attributed voice contrasts with the article's main line.",
    )
    check_worthy = models.BooleanField("check-worthy", null=True, blank=True)
    hedged = models.BooleanField(null=True, blank=True)
    opinion_type = models.CharField(max_length=20, choices=OpinionType.choices, blank=True)
    attribution = models.ForeignKey(
        "self",
        verbose_name="linked attribution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_spans",
        help_text="The attribution whose scope holds this claim or opinion.",
    )
    orphaned = models.BooleanField(
        default=False,
        help_text="The body changed and the quote could not be placed in it again.",
    )
    suggested_by = models.CharField(
        max_length=ENGINE_IDENTITY_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",  # what a bulk insert that names no engine stores
        validators=[validate_engine_identity],
        help_text='"" when the reviewer marked the span by hand; else the suggestion engine '
        '("name/version") whose suggestion the reviewer accepted, edited or not.',
    )
    adjudicated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adjudicated_copies",
        help_text="For an adjudicated span: the reviewer's span it was accepted from.",
    )

    objects = AnnotationQuerySet.as_manager()
    # Who changed what and when, before and after: restorable in admin. History is looked up
    # by span id, date and who changed it; each other index would be kept current at every
    # write for no reader.
    history = HistoricalRecords(
        no_db_index=["article", "reviewer", "speaker", "attribution", "adjudicated_from"]
    )

    class Meta:
        ordering = ["article", "start", "-end", "pk"]
        indexes = [models.Index(fields=["article", "reviewer", "layer", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=models.F("end")),
                name="annotation_start_before_end",
            ),
            models.UniqueConstraint(
                fields=["article", "reviewer", "layer", "label", "start", "end"],
                name="annotation_unique_span_per_reviewer_label",
                violation_error_message="You already marked this exact span with this label.",
            ),
            models.CheckConstraint(
                condition=one_of("label", Label.values), name="annotation_label_valid"
            ),
            models.CheckConstraint(
                condition=one_of("layer", Layer.values), name="annotation_layer_valid"
            ),
            models.CheckConstraint(
                condition=one_of("speaker_type", [*SpeakerType.values, ""])
                & one_of("cue_stance", [*CueStance.values, ""])
                & one_of("quote_type", [*QuoteType.values, ""])
                & one_of("opinion_type", [*OpinionType.values, ""]),
                name="annotation_field_choices_valid",
            ),
            *_fields_only_on_their_labels(),
            models.CheckConstraint(
                condition=Q(suggested_by="") | Q(suggested_by__contains="/"),
                name="annotation_suggested_by_names_engine_and_version",
            ),
        ]

    def __str__(self):
        return f"{self.get_label_display()} {self.start}–{self.end}: {self.quote[:60]}"

    def save(self, *args, **kwargs):
        self._save_releasing_links(*args, **kwargs)

    def _save_releasing_links(self, *args, update_fields=None, **kwargs) -> list[int]:
        label_may_change = not self._state.adding and (
            update_fields is None or "label" in update_fields
        )
        with transaction.atomic():
            super().save(*args, update_fields=update_fields, **kwargs)
            if not label_may_change:
                return []
            return self.release_linked_spans(getattr(self, "_history_user", None))

    def delete(self, *args, **kwargs):
        _unlinked, deleted = self._delete_releasing_links(*args, **kwargs)
        return deleted

    def _delete_releasing_links(self, *args, **kwargs):
        with transaction.atomic():
            unlinked = self.release_linked_spans(
                getattr(self, "_history_user", None), deleting=True
            )
            return unlinked, super().delete(*args, **kwargs)

    def save_by(self, user) -> list[int]:
        """Store this span (already checked) on behalf of ``user``: a new one is inserted, a
        changed one updated; its history row names ``user``.

        Returns the ids of the claims and opinions unlinked because the span is no
        longer an attribution. Raises ``Annotation.DoesNotExist`` when a changed span
        was deleted meanwhile (nothing is inserted instead), and ``IntegrityError``
        when the database refuses the span.
        """
        self._history_user = user
        changing = not self._state.adding
        with transaction.atomic():
            if changing and not Annotation.objects.select_for_update().filter(pk=self.pk).exists():
                raise Annotation.DoesNotExist("This annotation was deleted meanwhile.")
            return self._save_releasing_links(force_update=changing, force_insert=not changing)

    def delete_by(self, user) -> list[int]:
        """Delete this span on behalf of ``user`` (its last history row names them).

        Returns the ids of the claims and opinions that were linked to it. Raises
        ``Annotation.DoesNotExist`` when it was deleted meanwhile.
        """
        self._history_user = user
        with transaction.atomic():
            unlinked, (_total, deleted) = self._delete_releasing_links()
            if not deleted.get(self._meta.label):
                raise Annotation.DoesNotExist("This annotation was deleted meanwhile.")
        return unlinked

    @classmethod
    def restore_by(cls, user, pk) -> "Annotation":
        """Bring back the span ``user`` deleted, with its id and fields: what Undo does.

        Only a deletion that is the span's last history row and was made by ``user``
        can be undone; any other id raises ``Annotation.DoesNotExist``, as a missing
        span does. The span is checked against the body again (``ValidationError``
        when it no longer fits, or is marked again meanwhile) and saved by ``user``:
        its history gains a creation row after the rows it had. A link to a span or
        speaker gone since is left empty, as their deletion would have left it.
        """
        with transaction.atomic():
            return cls._restored(user, pk)

    @classmethod
    def _restored(cls, user, pk) -> "Annotation":
        last = cls.history.filter(id=pk).order_by("-history_date", "-history_id").first()
        if last is None or last.history_type != "-" or last.history_user_id != user.pk:
            raise cls.DoesNotExist("No annotation you deleted has this id.")
        span = last.instance
        try:
            span.article = Article.objects.get(pk=span.article_id)
        except Article.DoesNotExist as error:
            raise cls.DoesNotExist("The article of this annotation was deleted.") from error
        if span.reviewer_id == user.pk:
            span.reviewer = user
        for name, model in (
            ("attribution", Annotation),
            ("adjudicated_from", Annotation),
            ("speaker", Speaker),
        ):
            linked = getattr(span, f"{name}_id")
            if linked is not None and not model.objects.filter(pk=linked).exists():
                setattr(span, name, None)
        span._state.adding = True
        span.anchor_and_check(expected_quote=span.quote)
        span.save_by(user)
        return span

    def anchor(self):
        """Fill quote and context from the body, so they always agree with the offsets."""
        body = self.article.body
        self.quote = body[self.start : self.end]
        self.prefix, self.suffix = text.context(body, self.start, self.end)

    def anchor_and_check(self, expected_quote=None):
        """Fill quote and context from the body, then check every invariant.

        ``expected_quote`` is what the client believes it selected; a mismatch
        means its copy of the body differs from ours, so nothing is stored. An
        orphaned span is refused: its offsets index a body that is gone, and
        anchoring it there would overwrite its quote with text it never marked.
        """
        if self.orphaned:
            raise ValidationError(
                {
                    "orphaned": "This span is orphaned (its quote is no longer in the body): "
                    "it can be deleted, not changed."
                },
                code="orphaned",
            )
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
        # clean() and clean_fields() state every check constraint's rule in words, and
        # the database enforces them again; asking it first, one query per constraint,
        # cost half of a save. Only the unique span needs a look at what is stored.
        # An article or reviewer given as an object read from the database needs no
        # query to prove it exists (the foreign keys hold it again on insert).
        self.full_clean(exclude=self._relations_in_hand(), validate_constraints=False)
        self._check_unique_span()

    def _relations_in_hand(self):
        """ "article" and "reviewer" where the instance holds an object read from the database."""
        held = []
        for name in ("article", "reviewer"):
            related = getattr(self, name) if self._meta.get_field(name).is_cached(self) else None
            if related is not None and related.pk is not None and not related._state.adding:
                held.append(name)
        return held

    def _check_unique_span(self):
        values = {name: getattr(self, self._meta.get_field(name).attname) for name in UNIQUE.fields}
        same_span = Annotation.objects.filter(**values)
        if self.pk is not None:
            same_span = same_span.exclude(pk=self.pk)
        if same_span.exists():
            raise ValidationError(
                {NON_FIELD_ERRORS: ValidationError(UNIQUE.violation_error_message, code="unique")}
            )

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
        for field in span_schema.NAMES:
            if field not in own_fields and self._field_is_set(field):
                errors[field] = f"{field} is not a field of a {self.label}."
        if self.attribution_id is not None and self.label != Label.ATTRIBUTION:
            link = self.attribution
            if link.label != Label.ATTRIBUTION:
                errors["attribution"] = "A link must point to an attribution."
            elif link.article_id != self.article_id:
                errors["attribution"] = "The linked attribution belongs to another article."
            elif link.reviewer_id != self.reviewer_id or link.layer != self.layer:
                errors["attribution"] = (
                    "The linked attribution belongs to another reviewer or layer."
                )
        if errors:
            raise ValidationError(errors, code="invalid")

    def release_linked_spans(self, user=None, *, deleting=False) -> list[int]:
        """The one rule for links a change breaks: a link always points at an attribution.

        When this span is deleted or is no longer an attribution, the claims and
        opinions linked to it are unlinked, each saved through the model (its
        history row says who and when; ``user`` when given, else the request's).
        Every path that relabels or deletes a span calls this in its transaction
        (``save()`` and ``delete()`` here and on querysets);
        a link that would be wrong from the start is refused by :meth:`clean`
        instead. Returns the ids of the spans unlinked.
        """
        if self.label == Label.ATTRIBUTION and not deleting:
            return []
        return _unlink(Annotation.objects.filter(attribution_id=self.pk), user)

    def _field_is_set(self, field):
        return getattr(self, self._meta.get_field(field).attname) not in (None, "")

    def clear_fields_of_other_labels(self):
        """When a span changes label, fields of the old label no longer mean anything."""
        own_fields = LABEL_FIELDS.get(self.label, ())
        for field in span_schema.NAMES:
            if field not in own_fields:
                model_field = self._meta.get_field(field)
                setattr(self, model_field.attname, None if model_field.null else "")


def unlinked_message(unlinked: list[int]) -> str:
    """What a change or delete tells its user about the spans it unlinked ("" for none)."""
    if not unlinked:
        return ""
    return f"{len(unlinked)} linked claim(s)/opinion(s) were unlinked."


def _unlink(linked, user=None) -> list[int]:
    """Clear the links of these spans, each saved through the model; their ids."""
    unlinked = []
    for span in linked.order_by("pk"):
        span.attribution = None
        if user is not None:
            span._history_user = user
        span.save(update_fields=["attribution", "updated"])
        unlinked.append(span.pk)
    return unlinked


[UNIQUE] = [c for c in Annotation._meta.constraints if isinstance(c, models.UniqueConstraint)]
