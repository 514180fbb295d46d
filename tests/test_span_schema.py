"""annotator/span_schema.py and the model agree, and the database enforces what it says.

The schema is the one list of a span's label fields; these tests fail when a field
is added to the model and not to the schema (or the other way round), when a
kind does not match the model field, and when a label's spans could store
another label's field.
"""

import pytest
from django.db import IntegrityError, models, transaction

from annotator import span_schema
from annotator.models import Annotation, Label, Speaker
from tests.conftest import make_annotation

# Model fields that are not label fields and that no export writes.
NOT_EXPORTED = {"adjudicated_from_id"}
KINDS = {
    span_schema.CHOICE: models.CharField,
    span_schema.BOOLEAN: models.BooleanField,
    span_schema.SPEAKER: models.ForeignKey,
    span_schema.LINK: models.ForeignKey,
}
# A value of each kind that is not empty (links and speakers are filled in per test).
SET = {span_schema.BOOLEAN: True}


def test_every_column_of_a_span_is_in_the_schema_once():
    columns = {field.column for field in Annotation._meta.concrete_fields}
    assert len(span_schema.COLUMNS) == len(set(span_schema.COLUMNS))
    assert set(span_schema.COLUMNS) == columns - NOT_EXPORTED


@pytest.mark.parametrize("field", span_schema.LABEL_FIELDS, ids=lambda field: field.name)
def test_each_label_field_is_the_model_field_its_kind_says(field):
    model_field = Annotation._meta.get_field(field.name)
    assert isinstance(model_field, KINDS[field.kind])
    assert model_field.column == field.column
    assert model_field.null is (field.empty is None)
    assert bool(model_field.choices) is (field.kind == span_schema.CHOICE)
    if field.kind == span_schema.SPEAKER:
        assert model_field.related_model is Speaker
    if field.kind == span_schema.LINK:
        assert model_field.related_model is Annotation
    assert set(field.labels) <= set(Label.values)


def _value(field, spans):
    if field.kind == span_schema.CHOICE:
        return Annotation._meta.get_field(field.name).choices[0][0]
    if field.kind == span_schema.SPEAKER:
        return Speaker.objects.create(name="The minister").pk
    if field.kind == span_schema.LINK:
        return spans["attribution"].pk
    return SET[field.kind]


@pytest.fixture
def spans(article, alice):
    return {
        "attribution": make_annotation(article, alice, "attribution", "Officials said"),
        "claim": make_annotation(article, alice, "claim", "the bridge will open in May"),
        "opinion": make_annotation(article, alice, "opinion", "It is a crucial link"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("field", span_schema.LABEL_FIELDS, ids=lambda field: field.name)
def test_the_database_stores_a_field_only_on_the_labels_owning_it(field, spans):
    value = _value(field, spans)
    for label, span in spans.items():
        stored = Annotation.objects.filter(pk=span.pk)
        if label in field.labels:
            stored.update(**{field.column: value})
            assert stored.values_list(field.column, flat=True).get() == value
        else:
            with pytest.raises(IntegrityError), transaction.atomic():
                stored.update(**{field.column: value})
            assert stored.values_list(field.column, flat=True).get() == field.empty


@pytest.mark.django_db
@pytest.mark.parametrize("name", span_schema.CHOICE_NAMES)
def test_the_database_refuses_a_word_outside_a_fields_choices(name, spans):
    [owner] = [field.labels[0] for field in span_schema.LABEL_FIELDS if field.name == name]
    stored = Annotation.objects.filter(pk=spans[owner].pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        stored.update(**{name: "not-a-choice"})


def test_each_label_owns_the_fields_the_schema_gives_it():
    assert span_schema.fields_of("attribution") == (
        "speaker",
        "speaker_type",
        "cue_stance",
        "quote_type",
        "counter_voice",
    )
    assert span_schema.fields_of("claim") == ("check_worthy", "hedged", "attribution")
    assert span_schema.fields_of("opinion") == ("opinion_type", "attribution")
