from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings

from . import text
from .models import Label


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
