from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, Q

from . import text
from .converters import DATABASE_ID_MAX
from .models import REVIEWERS_GROUP, ArticleReview, Label, Layer, Source
from .profiles.evidence import EVIDENCE
from .profiles.maths import METRICS, WITH_SUGGESTIONS, WITHOUT_SUGGESTIONS


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


class ProfileQuery(forms.Form):
    """Whether a profile's figures (and their evidence) count the spans reviewers made by
    accepting a suggestion: ``include`` (the default: they are the reviewers' spans) or
    ``exclude``."""

    suggestions = forms.ChoiceField(
        choices=[
            (WITH_SUGGESTIONS, "With accepted suggestions"),
            (WITHOUT_SUGGESTIONS, "Without accepted suggestions"),
        ],
        required=False,
        error_messages={"invalid_choice": "%(value)s is not one of include, exclude."},
    )

    def clean_suggestions(self):
        return self.cleaned_data["suggestions"] or WITH_SUGGESTIONS


class ArticlePageQuery(ProfileQuery):
    """The article page's query: ``view`` whose spans it shows, ``evidence`` a figure whose
    counted spans it marks (``suggestions``: as its profile counted them), ``page`` the page
    of its no-JavaScript span list."""

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


# The article list's orders: key -> (label, ordering).
ARTICLE_ORDERS = {
    "queue": ("Your queue first", ("-in_queue", "seed_file", "pk")),
    "title": ("Title", ("title", "pk")),
    "source": ("Source", ("source__name", "seed_file", "pk")),
    "newest": ("Newest first", (F("published").desc(nulls_last=True), "pk")),
    "oldest": ("Oldest first", (F("published").asc(nulls_last=True), "pk")),
    "longest": ("Longest first", ("-word_count", "pk")),
    "fewest": ("Fewest of your spans first", ("own_count", "seed_file", "pk")),
}
# Where the reader stands with an article: the lookups that select it.
ARTICLE_STATES = {
    "not_started": ("Not started", Q(own_count=0, own_done=False)),
    "in_progress": ("In progress", Q(own_count__gt=0, own_done=False)),
    "done": ("Done", Q(own_done=True)),
}


class ArticleListQuery(forms.Form):
    """The article list's search, filters, order and page (all optional, all in the URL)."""

    q = forms.CharField(
        label="Search",
        max_length=200,
        required=False,
        help_text="Words in the title, author, source or text.",
    )
    source = StoredChoice(queryset=Source.objects.all(), required=False, empty_label="Any source")
    state = forms.ChoiceField(
        label="Your state",
        choices=[("", "Any state"), *((key, label) for key, (label, _) in ARTICLE_STATES.items())],
        required=False,
    )
    queue = forms.BooleanField(label="Only my queue", required=False)
    published_from = forms.DateField(label="Published from", required=False)
    published_to = forms.DateField(label="Published to", required=False)
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in ARTICLE_ORDERS.items()], required=False
    )
    page = forms.IntegerField(min_value=1, max_value=DATABASE_ID_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
        for name in ("published_from", "published_to"):
            self.fields[name].widget.input_type = "date"
        for field in self.fields.values():
            kind = {forms.Select: "form-select", forms.CheckboxInput: "form-check-input"}
            field.widget.attrs["class"] = kind.get(type(field.widget), "form-control")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and start > end:
            raise ValidationError({"published_to": "Comes before “Published from”."})
        return cleaned

    def filtered(self, articles):
        """``articles`` (with the reader's progress and queue) narrowed and ordered as asked."""
        data = self.cleaned_data
        if data["q"]:
            articles = articles.search(data["q"])
        if data["source"]:
            articles = articles.filter(source=data["source"])
        if data["state"]:
            articles = articles.filter(ARTICLE_STATES[data["state"]][1])
        if data["queue"]:
            articles = articles.filter(in_queue=True)
        if data["published_from"]:
            articles = articles.filter(published__gte=data["published_from"])
        if data["published_to"]:
            articles = articles.filter(published__lte=data["published_to"])
        return articles.order_by(*ARTICLE_ORDERS[data["sort"] or "queue"][1])


class AssignmentListQuery(forms.Form):
    """The queue page's list of who was dealt what: one reviewer's, a page at a time."""

    reviewer = StoredChoice(
        queryset=get_user_model().objects.filter(groups__name=REVIEWERS_GROUP).order_by("username"),
        required=False,
        empty_label="Every reviewer",
    )
    page = forms.IntegerField(min_value=1, max_value=DATABASE_ID_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].widget.attrs["class"] = "form-select form-select-sm"

    def filtered(self, assignments):
        reviewer = self.cleaned_data["reviewer"]
        return assignments.filter(reviewer=reviewer) if reviewer else assignments


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
    AT_RANDOM = "random"
    agreement_suggestions = forms.ChoiceField(
        choices=[
            ("off", "Off"),
            (AT_RANDOM, "On or off at random, for each assignment"),
        ],
        initial="off",
        required=False,  # left out: off
        label="Suggestions on double-annotated articles",
        help_text="Suggested spans could anchor both coders alike, so agreement articles get "
        "none by default; at random, the agreement page compares the two conditions. "
        "Single-annotated articles get suggestions. The seed above also draws the random ones.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("deal", "Add to queues", css_class="btn-primary"))
