"""The benchmark's own accounts and articles, added to a generated corpus (after django.setup()).

Spans are written through the model, as the product writes them, so the
figures it keeps stay true; each run trims its articles back to the same size.
"""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from annotator import synthetic, text
from annotator.models import REVIEWERS_GROUP, Annotation, Article, Source

SPANS_PER_ARTICLE = 500
BROWSER_PASSWORD = "bench-only-password"  # noqa: S105  (a throwaway benchmark account)
BROWSER_SEED_FILE = "bench-browser-5048-words"


def reviewer(username):
    """A reviewer account (created on first use)."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=REVIEWERS_GROUP)[0])
    return user


def token_for(username):
    """A reviewer's API token."""
    return Token.objects.get_or_create(user=reviewer(username))[0].key


def staff():
    User = get_user_model()
    return User.objects.filter(is_staff=True).first() or User.objects.create_user(
        "bench-staff", is_staff=True
    )


def hold_spans(article, author, seed, count=SPANS_PER_ARTICLE):
    """Give ``article`` exactly ``count`` spans: new ones by ``author`` if it has fewer,
    and those beyond its first ``count`` (by id) deleted, as earlier runs added some."""
    spans = Annotation.objects.filter(article=article)
    missing = count - spans.count()
    if missing > 0:
        taken = set(spans.filter(reviewer=author).values_list("label", "start", "end"))
        drawn = synthetic.spans(random.Random(seed), article.body, 2 * count)
        for label, start, end in [span for span in drawn if span not in taken][:missing]:
            span = Annotation(article=article, reviewer=author, label=label, start=start, end=end)
            span.anchor()
            span.save()
    extra = spans.order_by("pk").values_list("pk", flat=True)[count:]
    Annotation.objects.filter(pk__in=list(extra)).delete()


def browser_article():
    """(username, article id): a reviewer with 500 spans on a 5,000-word article."""
    user = reviewer("bench-browser")
    user.set_password(BROWSER_PASSWORD)
    user.save()
    article = Article.objects.filter(seed_file=BROWSER_SEED_FILE).first()
    if article is None:
        article = Article.objects.create(
            source=Source.objects.order_by("pk").first(),
            title="Five thousand words",
            seed_file=BROWSER_SEED_FILE,
            body=text.normalise_text(synthetic.body(random.Random(21), 5000, 32_000)),
        )
    hold_spans(article, user, seed=21)
    return user.username, article.pk
