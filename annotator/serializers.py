import copy
from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from . import span_schema
from .models import Annotation, Article, Source, Speaker
from .models.corpus import validate_aliases


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "name", "domain", "identified"]


class ArticleSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)
    own_count = serializers.IntegerField(read_only=True)
    own_done = serializers.BooleanField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "source",
            "title",
            "author",
            "published",
            "date_shown",
            "dateline",
            "seed_file",
            "body_sha256",
            "word_count",
            "own_count",
            "own_done",
        ]


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]


class SpeakerSerializer(serializers.ModelSerializer):
    # The model's own rule on aliases (how many, how long), so both refuse alike.
    aliases = serializers.ListField(
        child=serializers.CharField(), required=False, validators=[validate_aliases]
    )

    class Meta:
        model = Speaker
        fields = ["id", "name", "aliases", "affiliation", "affiliation_detail"]


class VisibleSpanField(serializers.PrimaryKeyRelatedField):
    """The id of a span the requesting user may see.

    Any other id is refused exactly as an id that does not exist, and the
    browsable API's form lists only these spans: blind review never leaks.
    """

    def get_queryset(self):
        return Annotation.objects.visible_to(self.context["request"].user)


class AnnotationSerializer(serializers.ModelSerializer):
    """One span. On write the server fills quote and context from the body.

    A client may send ``quote`` as a check: it must equal ``body[start:end]``.
    Unknown keys are refused rather than silently dropped.
    """

    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    quote = serializers.CharField(required=False, trim_whitespace=False)
    # Times in UTC, as they are stored, named once here rather than looked up as the
    # request's current time zone for each of a list's thousand values.
    created = serializers.DateTimeField(read_only=True, default_timezone=UTC)
    updated = serializers.DateTimeField(read_only=True, default_timezone=UTC)
    speaker = serializers.PrimaryKeyRelatedField(
        queryset=Speaker.objects.all(), allow_null=True, required=False
    )
    attribution = VisibleSpanField(allow_null=True, required=False)

    class Meta:
        model = Annotation
        fields = [*span_schema.PLACE, *span_schema.NAMES]
        read_only_fields = ["article", "layer", "prefix", "suffix", "orphaned"]
        # The same bound on every database (PostgreSQL's integer), so errors read alike.
        extra_kwargs = {
            "start": {"max_value": 2**31 - 1},
            "end": {"max_value": 2**31 - 1},
        }
        validators = []  # the model's own constraints are checked in validate()

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send a JSON object of annotation fields."]}
            )
        writable = {name for name, f in self.fields.items() if not f.read_only}
        refused = {
            name: [f"{name} is read-only." if name in self.fields else "Unknown field."]
            for name in sorted(set(data) - writable)
        }
        if refused:
            raise serializers.ValidationError(refused)
        return super().to_internal_value(data)

    def to_representation(self, instance):
        return unplaced_without_offsets(super().to_representation(instance))

    def validate(self, attrs):
        self._refuse_changed_provenance(attrs)
        claimed_quote = attrs.pop("quote", None)
        if self.instance is None:
            candidate = Annotation(
                article=self.context["article"], reviewer=self.context["request"].user
            )
        else:
            # A copy, with the article and reviewer it was read with: the instance
            # stays as stored if the change is refused.
            candidate = copy.copy(self.instance)
        previous_label = candidate.label
        for name, value in attrs.items():
            setattr(candidate, name, value)
        if self.instance is not None and candidate.label != previous_label:
            candidate.clear_fields_of_other_labels()
            for name in span_schema.NAMES:
                if name in attrs:
                    setattr(candidate, name, attrs[name])

        try:
            candidate.anchor_and_check(expected_quote=claimed_quote)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        self._candidate = candidate
        return attrs

    def _refuse_changed_provenance(self, attrs):
        """Whether a span came from a suggestion is a fact of its making: a change may
        repeat the stored value, never alter it."""
        if self.instance is None or "suggested_by" not in attrs:
            return
        if attrs["suggested_by"] != self.instance.suggested_by:
            raise serializers.ValidationError(
                {
                    "suggested_by": [
                        "suggested_by is set when the span is created; it cannot change."
                    ]
                }
            )

    def create(self, validated_data):
        return self._save_candidate()

    def update(self, instance, validated_data):
        return self._save_candidate()

    def _save_candidate(self):
        try:
            self.unlinked = self._candidate.save_by(self.context["request"].user)
        except IntegrityError as error:
            raise serializers.ValidationError(
                {"non_field_errors": ["This span conflicts with one already stored."]}
            ) from error
        except Annotation.DoesNotExist as error:
            raise NotFound(str(error)) from error
        return self._candidate


# What a list of spans reads, as values_list() rows, and the names the serializer gives them:
# its own output, without DRF's calls per field and span (most of a 500-span list's time).
# tests/test_api_read.py holds the two together field for field.
LISTED_COLUMNS = tuple(
    "reviewer__username" if column == "reviewer_id" else column for column in span_schema.COLUMNS
)
LISTED_NAMES = (*span_schema.PLACE, *span_schema.NAMES)
TIMES = ("created", "updated")


def listed_spans(rows) -> list[dict]:
    """``values_list(*LISTED_COLUMNS)`` rows as :class:`AnnotationSerializer` writes them."""
    spans = []
    for row in rows:
        span = dict(zip(LISTED_NAMES, row, strict=True))
        for name in TIMES:
            span[name] = utc_text(span[name])
        spans.append(unplaced_without_offsets(span))
    return spans


def utc_text(moment) -> str:
    """A stored time as the serializer's UTC DateTimeField writes it (``Z`` for UTC)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def unplaced_without_offsets(span: dict) -> dict:
    """An orphaned span's offsets index a body that is gone: they are given as null."""
    if span["orphaned"]:
        span["start"] = span["end"] = None
    return span
