"""Figures derived from the spans, stored so that summaries read them instead of recounting.

Nothing here is edited by hand: :mod:`annotator.profiles.storage` rewrites a unit's row
in the transaction of every write that changes what it counts, and forgets an
article's agreement whenever its spans or its coders change (the next reader
recomputes it).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .corpus import Article


class UnitFigures(models.Model):
    """One unit: a reviewer's raw spans on one article, or the article's adjudicated layer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for the adjudicated layer.",
    )
    figures = models.JSONField(
        help_text='{"values": {figure: value or null}, "labels": {label: count}}'
    )

    class Meta:
        verbose_name_plural = "unit figures"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"],
                condition=Q(reviewer__isnull=False),
                name="unitfigures_one_per_reviewer",
            ),
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(reviewer__isnull=True),
                name="unitfigures_one_adjudicated_layer",
            ),
        ]

    def __str__(self):
        return f"Figures of article {self.article_id}, reviewer {self.reviewer_id or 'adjudicated'}"


class ArticleAgreement(models.Model):
    """What agreement among the coders of one double-annotated article is computed from.

    Counts, not coefficients (``agreement.Tally.stored()``), so that a source's
    agreement pools its articles' counts.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    figures = models.JSONField(
        help_text='{"units", "coders", "alpha": {label: [pairable, ones, disagreement]}, '
        '"f1": {matching: {label: [matches, left, right]}}, '
        '"kappa": {field: [[first, second, count]]}, "pairs": [the same per pair of coders]}'
    )

    def __str__(self):
        return f"Agreement on article {self.article_id}"
