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


class Unit(models.Model):
    """A row per unit: a reviewer's raw spans on one article, or the article's adjudicated
    layer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for the adjudicated layer.",
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"],
                condition=Q(reviewer__isnull=False),
                name="%(class)s_one_per_reviewer",
            ),
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(reviewer__isnull=True),
                name="%(class)s_one_adjudicated_layer",
            ),
        ]


class UnitFigures(Unit):
    """One unit's figures, counting every span of it."""

    figures = models.JSONField(
        help_text='{"values": {figure: value or null}, "labels": {label: count}}'
    )

    class Meta(Unit.Meta):
        verbose_name_plural = "unit figures"

    def __str__(self):
        return f"Figures of article {self.article_id}, reviewer {self.reviewer_id or 'adjudicated'}"


class UnitFiguresByHand(Unit):
    """A unit holding spans the reviewer made by accepting a suggestion, counted without them:
    what a profile without accepted suggestions reads in place of its ``UnitFigures``.

    Apart from ``UnitFigures``, so that the figures every profile reads by default stay
    as they are; units without an accepted suggestion have no row here.
    """

    figures = models.JSONField(
        help_text="As UnitFigures.figures, from the spans marked by hand; {} when there are none."
    )

    class Meta(Unit.Meta):
        verbose_name_plural = "unit figures by hand"

    def __str__(self):
        who = self.reviewer_id or "adjudicated"
        return f"Figures by hand of article {self.article_id}, reviewer {who}"


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
