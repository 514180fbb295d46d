"""The review workflow: who reviews what, their verdict on each article, adjudication."""

from collections import defaultdict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..workqueue import suggestion_conditions, suggestions_on
from .checks import one_of
from .corpus import Article

DEAL_BATCH = 500  # article ids a query asks about at once

REVIEWERS_GROUP = "Reviewers"


class Genre(models.TextChoices):
    NEWS = "news", "News"
    ANALYSIS = "analysis", "Analysis"
    OPINION = "opinion", "Opinion"
    NONE = "none", "No label given"


class HeadlineFidelity(models.TextChoices):
    FAITHFUL = "faithful", "Faithful to the body"
    OVERSTATED = "overstated", "Overstated"
    UNSUPPORTED = "unsupported", "Unsupported by the body"


class ArticleReview(models.Model):
    """One reviewer's verdict on one article: done or not, and what the page shows.

    The "shown" answers feed the transparency figure; unanswered stays null.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_reviews"
    )
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    genre = models.CharField(
        "genre label the outlet gives", max_length=20, choices=Genre.choices, blank=True
    )
    byline_shown = models.BooleanField(null=True, blank=True)
    date_shown = models.BooleanField(null=True, blank=True)
    bio_shown = models.BooleanField("author bio shown", null=True, blank=True)
    headline_fidelity = models.CharField(
        max_length=20, choices=HeadlineFidelity.choices, blank=True
    )
    note = models.TextField(blank=True, max_length=settings.ANNOTATION_NOTE_MAX_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="article_review_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(done=False) | Q(done_at__isnull=False),
                name="article_review_done_has_time",
            ),
            models.CheckConstraint(
                condition=one_of("genre", [*Genre.values, ""])
                & one_of("headline_fidelity", [*HeadlineFidelity.values, ""]),
                name="article_review_choices_valid",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.article}: {'done' if self.done else 'in progress'}"

    def set_done(self, done: bool):
        """Record when the reviewer finished, so exports can tell final work from drafts."""
        self.done = done
        self.done_at = timezone.now() if done else None
        self.save(update_fields=["done", "done_at"])


class Suggestions(models.TextChoices):
    """Whether a reviewer is shown the engine's suggested spans on an assigned article."""

    ON = "on", "Suggestions on"
    OFF = "off", "Suggestions off"


class SuggestionsDecided(models.TextChoices):
    """How an assignment's suggestions condition was chosen."""

    DEFAULT = "default", "By default"
    RANDOM = "random", "At random"


class AssignmentQuerySet(models.QuerySet):
    def with_done(self):
        """Each assignment with whether its reviewer marked the article done."""
        return self.annotate(
            is_done=models.Exists(
                ArticleReview.objects.filter(
                    article=models.OuterRef("article"),
                    reviewer=models.OuterRef("reviewer"),
                    done=True,
                )
            )
        )

    def next_for(self, reviewer, after):
        """The next article in ``reviewer``'s queue (not done, not ``after``), or None."""
        assignment = (
            self.filter(reviewer=reviewer)
            .exclude(article=after)
            .with_done()
            .filter(is_done=False)
            .select_related("article")
            .order_by("article__seed_file", "article_id")
            .first()
        )
        return assignment and assignment.article

    def suggestions_allowed(self, reviewer, article) -> bool:
        """Whether ``reviewer`` may be shown suggested spans on ``article`` (one query).

        The anchoring-bias guard (:func:`.workqueue.suggestions_on`): an assignment of
        the article to the reviewer decides by its recorded condition. Without one,
        suggestions are allowed unless the article was dealt to two or more reviewers
        (an agreement article).
        """
        dealt = self.filter(article=article).dealt_conditions()
        return suggestions_on(dealt[article.pk], reviewer.pk)

    def dealt_conditions(self) -> defaultdict:
        """Article id -> {reviewer id: True if suggestions are on} of these assignments
        (an article without any maps to {})."""
        dealt = defaultdict(dict)
        for article_id, reviewer_id, suggestions in self.values_list(
            "article_id", "reviewer_id", "suggestions"
        ):
            dealt[article_id][reviewer_id] = suggestions == Suggestions.ON
        return dealt

    def deal(self, plan, assigned_by, *, at_random=False, seed=0) -> list["Assignment"]:
        """Store a dealing ``plan`` (``[(article_id, reviewer_id), ...]``, see
        :func:`.workqueue.plan_assignments`), each assignment with its suggestions
        condition (:func:`.workqueue.suggestion_conditions`: off on agreement articles,
        or at random with ``seed``; on elsewhere). Pairs already dealt are skipped and
        keep their condition. Returns the assignments the plan held."""
        dealt_before = {}
        articles = sorted({article_id for article_id, _ in plan})
        for first in range(0, len(articles), DEAL_BATCH):
            pairs = self.filter(article_id__in=articles[first : first + DEAL_BATCH])
            for article_id, reviewer_id in pairs.values_list("article_id", "reviewer_id"):
                dealt_before.setdefault(article_id, set()).add(reviewer_id)
        conditions = suggestion_conditions(plan, dealt_before, at_random=at_random, seed=seed)
        return self.bulk_create(
            [
                Assignment(
                    article_id=article_id,
                    reviewer_id=reviewer_id,
                    assigned_by=assigned_by,
                    suggestions=Suggestions.ON if on else Suggestions.OFF,
                    suggestions_decided=(
                        SuggestionsDecided.RANDOM if drawn else SuggestionsDecided.DEFAULT
                    ),
                )
                for article_id, reviewer_id, on, drawn in conditions
                if reviewer_id not in dealt_before.get(article_id, ())
            ],
            ignore_conflicts=True,
        )

    def progress(self):
        """Per reviewer: how many articles are in their queue and how many are done."""
        return (
            self.with_done()
            .values("reviewer__username")
            .annotate(assigned=models.Count("pk"), done=models.Count("pk", filter=Q(is_done=True)))
            .order_by("reviewer__username")
        )


class Assignment(models.Model):
    """An article in a reviewer's work queue, chosen by staff."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    # The anchoring-bias guard (docs/suggestions.md): dealing sets both, so the agreement
    # page can compare articles coded with and without suggestions.
    suggestions = models.CharField(
        max_length=3,
        choices=Suggestions.choices,
        default=Suggestions.ON,
        help_text="Whether the reviewer is shown suggested spans on this article.",
    )
    suggestions_decided = models.CharField(
        max_length=10,
        choices=SuggestionsDecided.choices,
        default=SuggestionsDecided.DEFAULT,
        help_text="How the suggestions condition was chosen: the default rule, or at random.",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["reviewer", "article"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="assignment_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=one_of("suggestions", Suggestions.values)
                & one_of("suggestions_decided", SuggestionsDecided.values),
                name="assignment_suggestions_choices_valid",
            ),
        ]

    def __str__(self):
        return f"{self.article} → {self.reviewer}"


class AdjudicationQuerySet(models.QuerySet):
    def complete(self):
        """Layers staff marked complete: only these stand for their articles."""
        return self.filter(completed_at__isnull=False)


class Adjudication(models.Model):
    """Staff's adjudicated layer of an article: who owns it and whether it is complete.

    Its existence, not its spans, says the layer exists: an adjudicator who
    rejects every span leaves a real, empty layer. The layer replaces the mean
    over reviewers in summaries and evidence only once staff mark it complete;
    until then it is work in progress, and a started but empty layer would
    otherwise read as an article where nothing was found.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="adjudication")
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="adjudications"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="completed_adjudications",
    )

    objects = AdjudicationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, completed_by__isnull=True)
                | Q(completed_at__isnull=False, completed_by__isnull=False),
                name="adjudication_completed_by_someone",
            ),
        ]

    def __str__(self):
        return f"Adjudication of {self.article} by {self.adjudicator}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    def mark_complete(self, user):
        """The layer now stands for the article, as ``user`` decided, now."""
        self.completed_at, self.completed_by = timezone.now(), user
        self.save(update_fields=["completed_at", "completed_by", "updated"])

    def reopen(self):
        """Back to work in progress: summaries use the reviewers' mean again."""
        self.completed_at, self.completed_by = None, None
        self.save(update_fields=["completed_at", "completed_by", "updated"])
