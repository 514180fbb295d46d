"""Invariants held by the database where SQL can say them, by validation otherwise."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator.models import Annotation, ArticleReview, Speaker

from .conftest import make_annotation, make_article


def raw_annotation(article, reviewer, **fields):
    values = {"label": "claim", "start": 0, "end": 9, "quote": article.body[0:9]}
    values.update(fields)
    return Annotation(article=article, reviewer=reviewer, **values)


def assert_database_refuses(annotation, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        annotation.save()


@pytest.mark.django_db
class TestDatabaseConstraints:
    def test_start_must_be_before_end(self, article, alice):
        assert_database_refuses(
            raw_annotation(article, alice, start=5, end=5), "annotation_start_before_end"
        )

    def test_one_annotation_per_reviewer_label_and_span(self, article, alice):
        raw_annotation(article, alice).save()
        assert_database_refuses(raw_annotation(article, alice), "(?i)unique")

    def test_same_span_is_fine_for_another_reviewer_or_label(self, article, alice, bob):
        raw_annotation(article, alice).save()
        raw_annotation(article, bob).save()
        raw_annotation(article, alice, label="opinion").save()
        assert Annotation.objects.count() == 3

    def test_unknown_label_is_refused(self, article, alice):
        assert_database_refuses(
            raw_annotation(article, alice, label="fact"), "annotation_label_valid"
        )

    def test_unknown_layer_is_refused(self, article, alice):
        assert_database_refuses(
            raw_annotation(article, alice, layer="draft"), "annotation_layer_valid"
        )

    @pytest.mark.parametrize(
        "label, field",
        [
            ("attribution", "speaker_type"),
            ("attribution", "cue_stance"),
            ("attribution", "quote_type"),
            ("opinion", "opinion_type"),
        ],
    )
    def test_unknown_field_choice_is_refused(self, article, alice, label, field):
        assert_database_refuses(
            raw_annotation(article, alice, label=label, **{field: "other"}),
            "annotation_field_choices_valid",
        )

    def test_attribution_fields_on_a_claim_are_refused(self, article, alice):
        assert_database_refuses(
            raw_annotation(article, alice, speaker_type="vague"),
            "annotation_fields_only_on_attribution",
        )

    def test_claim_fields_on_an_opinion_are_refused(self, article, alice):
        annotation = raw_annotation(article, alice, label="opinion", check_worthy=True)
        assert_database_refuses(annotation, "annotation_fields_only_on_claim")

    def test_opinion_fields_on_a_claim_are_refused(self, article, alice):
        annotation = raw_annotation(article, alice, opinion_type="evaluative")
        assert_database_refuses(annotation, "annotation_fields_only_on_opinion")

    def test_an_attribution_cannot_link_to_an_attribution(self, article, alice):
        source = raw_annotation(article, alice, label="attribution")
        source.save()
        annotation = raw_annotation(article, alice, label="attribution", end=5, attribution=source)
        annotation.quote = article.body[0:5]
        assert_database_refuses(annotation, "annotation_fields_only_on_claim_opinion")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make, constraint",
    [
        (
            lambda article, user: Speaker(name="X", affiliation="aliens"),
            "speaker_affiliation_valid",
        ),
        (
            lambda article, user: ArticleReview(article=article, reviewer=user, genre="poem"),
            "article_review_choices_valid",
        ),
        (
            lambda article, user: ArticleReview(
                article=article, reviewer=user, headline_fidelity="loose"
            ),
            "article_review_choices_valid",
        ),
    ],
)
def test_unknown_speaker_and_review_choices_are_refused(article, alice, make, constraint):
    assert_database_refuses(make(article, alice), constraint)


@pytest.mark.django_db
class TestValidation:
    def errors_of(self, annotation, expected_quote=None):
        with pytest.raises(ValidationError) as caught:
            annotation.anchor_and_check(expected_quote=expected_quote)
        return caught.value.message_dict

    def test_end_past_the_body(self, article, alice):
        annotation = raw_annotation(article, alice, start=3, end=len(article.body) + 1)
        assert "past the body" in self.errors_of(annotation)["end"][0]

    def test_start_past_the_body(self, article, alice):
        annotation = raw_annotation(
            article, alice, start=len(article.body), end=len(article.body) + 2
        )
        assert "past the body" in self.errors_of(annotation)["start"][0]

    def test_quote_must_equal_the_body_at_the_offsets(self, article, alice):
        annotation = raw_annotation(article, alice)
        assert "does not match" in self.errors_of(annotation, expected_quote="Somebody")["quote"][0]

    def test_quote_check_in_clean_catches_a_stale_quote(self, article, alice):
        annotation = raw_annotation(article, alice, quote="not the body")
        with pytest.raises(ValidationError, match="does not match"):
            annotation.clean()

    def test_fields_of_another_label(self, article, alice):
        annotation = raw_annotation(article, alice, label="opinion", hedged=True)
        assert "not a field of a opinion" in self.errors_of(annotation)["hedged"][0]

    def test_link_must_stay_in_one_article(self, article, alice):
        other = make_article(body="Another article entirely, said the spokesperson today.")
        link = make_annotation(other, alice, "attribution", "said the spokesperson")
        annotation = raw_annotation(article, alice, attribution=link)
        assert "another article" in self.errors_of(annotation)["attribution"][0]

    def test_link_must_stay_with_one_reviewer(self, article, alice, bob):
        link = make_annotation(article, bob, "attribution", "Officials said")
        annotation = raw_annotation(article, alice, attribution=link)
        assert "another reviewer" in self.errors_of(annotation)["attribution"][0]

    def test_link_must_point_to_an_attribution(self, article, alice):
        claim = make_annotation(article, alice, "claim", "the bridge will open in May")
        annotation = raw_annotation(article, alice, label="opinion", attribution=claim, end=5)
        assert "must point to an attribution" in self.errors_of(annotation)["attribution"][0]

    def test_anchor_fills_quote_and_context(self, alice):
        article = make_article(body="😀 Officials said the bridge opened.")
        annotation = make_annotation(article, alice, "claim", "the bridge opened")
        assert annotation.start == 17
        assert annotation.quote == "the bridge opened"
        assert annotation.prefix == "😀 Officials said "
        assert annotation.suffix == "."
