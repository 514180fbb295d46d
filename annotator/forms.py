from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from . import text
from .converters import DATABASE_ID_MAX
from .models import REVIEWERS_GROUP, ArticleReview, Label, Layer, Source
from .profiles.evidence import EVIDENCE
from .profiles.maths import METRICS


class QuoteAnnotationForm(forms.Form):
    """Adds a span without JavaScript: the exact quote, and which occurrence of it."""

    label = forms.ChoiceField(choices=Label.choices)
    quote = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Copy the passage exactly as it stands in the article.",
    )
    occurrence = forms.IntegerField(
        min_value=1,
        initial=1,
        help_text="If the passage appears more than once, which appearance (1 = first).",
    )
    note = forms.CharField(
        required=False,
        max_length=settings.ANNOTATION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("add", "Add annotation", css_class="btn-primary"))

    def clean(self):
        cleaned = super().clean()
        quote, occurrence = cleaned.get("quote"), cleaned.get("occurrence")
        if not quote or not occurrence:
            return cleaned
        quote = text.normalise_text(quote)
        starts = text.occurrences(self.article.body, quote)
        if not starts:
            self.add_error("quote", "This passage does not appear in the article.")
        elif occurrence > len(starts):
            self.add_error(
                "occurrence", f"The passage appears {len(starts)} time(s), not {occurrence}."
            )
        else:
            cleaned["start"] = starts[occurrence - 1]
            cleaned["end"] = cleaned["start"] + len(quote)
        return cleaned


YES_NO_UNANSWERED = forms.NullBooleanSelect


class DeleteAnnotationForm(forms.Form):
    """Which span a delete button of the article page's list names."""

    annotation = forms.IntegerField(min_value=1, max_value=DATABASE_ID_MAX)


class ArticleReviewForm(forms.ModelForm):
    """Once per reviewer and article: what the page shows about itself."""

    class Meta:
        model = ArticleReview
        fields = ["genre", "byline_shown", "date_shown", "bio_shown", "headline_fidelity", "note"]
        widgets = {
            "byline_shown": YES_NO_UNANSWERED,
            "date_shown": YES_NO_UNANSWERED,
            "bio_shown": YES_NO_UNANSWERED,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save-review", "Save page review", css_class="btn-sm"))


def _beyond_ids(values) -> list:
    """The values that are whole numbers no id column can hold (asking for them would
    overflow the database's integers)."""
    beyond = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if not -DATABASE_ID_MAX <= number <= DATABASE_ID_MAX:
            beyond.append(value)
    return beyond


class StoredChoice(forms.ModelChoiceField):
    """A model chosen by id: an id beyond the database's range is an invalid choice."""

    def to_python(self, value):
        if _beyond_ids([value]):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class StoredChoices(forms.ModelMultipleChoiceField):
    """Models chosen by id: an id beyond the database's range is an invalid choice."""

    def _check_values(self, value):
        for beyond in _beyond_ids(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": beyond},
            )
        return super()._check_values(value)


# Whose spans the article page shows: staff choose; a reviewer always sees their own.
ARTICLE_VIEWS = {
    "mine": "Your annotations",
    "all": "Every reviewer's annotations",
    "adjudicated": "Adjudicated layer",
}
# The view staff read a layer's spans in.
LAYER_VIEWS = {Layer.RAW: "all", Layer.ADJUDICATED: "adjudicated"}


class ArticlePageQuery(forms.Form):
    """The article page's query: ``view`` whose spans it shows, ``evidence`` a figure whose
    counted spans it marks, ``page`` the page of its no-JavaScript span list."""

    view = forms.ChoiceField(
        choices=list(ARTICLE_VIEWS.items()),
        required=False,
        error_messages={"invalid_choice": "%(value)s is not one of mine, all, adjudicated."},
    )
    evidence = forms.TypedChoiceField(
        choices=[(metric.key, metric.name) for metric in METRICS if metric.key in EVIDENCE],
        coerce={metric.key: metric for metric in METRICS}.get,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "No figure that counts spans is named %(value)s."},
    )
    # A page past the last shows the last, as Django's Paginator.get_page does.
    page = forms.IntegerField(min_value=1, max_value=DATABASE_ID_MAX, required=False)


class QueueForm(forms.Form):
    """Staff deal articles to reviewers, a share of them to two reviewers."""

    reviewers = StoredChoices(
        queryset=get_user_model().objects.filter(groups__name=REVIEWERS_GROUP).order_by("username"),
        widget=forms.CheckboxSelectMultiple,
    )
    source = StoredChoice(
        queryset=Source.objects.all(),
        required=False,
        empty_label="Every source",
        help_text="Which articles to deal out.",
    )
    only_unassigned = forms.BooleanField(
        required=False, initial=True, help_text="Skip articles already in someone's queue."
    )
    double_share = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=20,
        label="Double-annotated share (%)",
        help_text="Articles that also go to a second reviewer, for agreement.",
    )
    seed = forms.IntegerField(initial=1, help_text="The same seed deals the same way again.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("deal", "Add to queues", css_class="btn-primary"))
