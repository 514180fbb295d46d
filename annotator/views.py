"""Server-rendered pages: fetch with permission, validate, call the model, respond."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import fastsql, links, page, writes
from .forms import ArticleReviewForm, QuoteAnnotationForm
from .models import (
    Annotation,
    Article,
    ArticleReview,
    Assignment,
    CueStance,
    Label,
    OpinionType,
    QuoteType,
    Speaker,
    SpeakerType,
    unlinked_message,
)
from .permissions import get_annotation_for_user, require_annotator
from .profiles.maths import METRICS
from .serializers import PAGE_SPAN_FIELDS, SPAN_LOOKUPS, SpeakerSerializer

SPEAKER_FIELDS = tuple(SpeakerSerializer.Meta.fields)
# The article page's own forms and links: name in the template -> URL name.
ARTICLE_LINKS = {
    "done": "article-done",
    "adjudicate": "adjudicate",
    "review": "article-review",
    "add": "annotation-add",
}
DELETE_FORM = "delete-annotation"


@require_GET
def article_list(request):
    require_annotator(request.user)
    articles = (
        Article.objects.with_reviewer_progress(request.user)
        .annotate(
            in_queue=Exists(
                Assignment.objects.filter(article=OuterRef("pk"), reviewer=request.user)
            )
        )
        .select_related("source")
        .defer("body")
        .order_by("-in_queue", "seed_file", "pk")
    )
    queue = Assignment.objects.filter(reviewer=request.user).progress().first()
    return render(request, "annotator/article_list.html", {"articles": articles, "queue": queue})


VIEWS = {
    "mine": "Your annotations",
    "all": "Every reviewer's annotations",
    "adjudicated": "Adjudicated layer",
}


def _shown(view, article, reviewer):
    """The reviewer's own spans; every reviewer's; or the adjudicated layer (all with orphans)."""
    annotations = Annotation.objects.filter(article_id=article)
    if view == "all":
        annotations = annotations.raw()
    elif view == "adjudicated":
        annotations = annotations.adjudicated()
    else:
        annotations = annotations.for_reviewer(reviewer)
    lookups = [SPAN_LOOKUPS[name] for name in PAGE_SPAN_FIELDS]
    return annotations.in_text_order().values_list(*lookups, "orphaned")


# The page's span query for each view, compiled once: rows of PAGE_SPAN_FIELDS, then "orphaned".
SHOWN = {
    view: fastsql.Prepared(lambda article, reviewer, view=view: _shown(view, article, reviewer))
    for view in VIEWS
}


ARTICLE = fastsql.Prepared(
    lambda pk: Article.objects.filter(pk=pk).values_list(*fastsql.joined(Article, "source"))
)
REVIEW_FIELDS = fastsql.attnames(ArticleReview)
REVIEW = fastsql.Prepared(
    lambda article, reviewer: ArticleReview.objects.filter(
        article_id=article, reviewer_id=reviewer
    ).values_list(*REVIEW_FIELDS)
)


def article_or_404(pk):
    """The article with its source, read by the page's prepared query."""
    found = ARTICLE.rows(pk=pk)
    if not found:
        raise Http404("No article has this id.")
    return fastsql.with_related(Article, ["source"], found[0])


def _render_article(request, article, form=None, review_form=None, status=200):
    """The article page; ``form`` and ``review_form`` only when bound (shown with their errors),
    otherwise fresh ones."""
    # Reviewers see their own spans; staff may show every reviewer's or the adjudicated layer.
    view = request.GET.get("view", "mine") if request.user.is_staff else "mine"
    if view not in VIEWS:
        view = "mine"
    rows = SHOWN[view].rows(article=article.pk, reviewer=request.user.pk)
    annotations = [row for row in rows if not row[-1]]
    orphans = [row for row in rows if row[-1]]
    found = REVIEW.rows(article=article.pk, reviewer=request.user.pk)
    review = fastsql.instance(ArticleReview, REVIEW_FIELDS, found[0]) if found else None
    # Only the speakers of the spans shown; the script asks the API for others by name.
    speaker_column = PAGE_SPAN_FIELDS.index("speaker")
    speakers = Speaker.objects.filter(
        pk__in={row[speaker_column] for row in annotations} - {None}
    ).values_list(*SPEAKER_FIELDS)
    choices = {
        "label": Label.choices,
        "speaker_type": SpeakerType.choices,
        "cue_stance": CueStance.choices,
        "quote_type": QuoteType.choices,
        "opinion_type": OpinionType.choices,
    }
    page_data = {
        "articleId": article.pk,
        "body": article.body,
        "username": request.user.get_username(),
        "view": view,
        "showReviewer": view != "mine",
        "editAll": view == "adjudicated",
        "canCreate": view == "mine",
        "annotations": page.columns((*PAGE_SPAN_FIELDS, "orphaned"), annotations),
        "speakers": page.columns(SPEAKER_FIELDS, list(speakers)),
        "choices": choices,
        "counterVoiceChoices": [["", "—"], ["true", "Yes"], ["false", "No"]],
        "urls": {
            "annotations": links.path("api-article-annotations", article.pk),
            "annotation": links.path("api-annotation", 0),
            "speakers": links.url("api-speaker-list"),
        },
    }
    context = {
        "article": article,
        "orphans": [
            {"label": page.LABEL_NAMES[label], "reviewer": reviewer, "quote": quote}
            for _pk, reviewer, label, _start, _end, quote, *_ in orphans
        ],
        "view": view,
        "views": VIEWS,
        "delete_form": DELETE_FORM,
        "done": bool(review and review.done),
        "links": {
            name: links.path(f"annotator:{view_name}", article.pk)
            for name, view_name in ARTICLE_LINKS.items()
        },
        "form": form or QuoteAnnotationForm(article=article),
        "review_form": review_form or ArticleReviewForm(instance=review),
    }
    parts = {
        "annotation_items": page.span_list(
            annotations,
            show_reviewer=view != "mine",
            username=request.user.get_username(),
            delete_url=links.split("annotator:annotation-delete"),
            delete_form=DELETE_FORM,
        ),
        "paragraphs": page.paragraphs(article.body),
        "page_data": page.script_json(page_data),
    }
    return page.render(request, "annotator/article_detail.html", context, parts, status=status)


@require_GET
def article_detail(request, pk):
    require_annotator(request.user)
    return _render_article(request, article_or_404(pk))


@require_POST
def annotation_add(request, pk):
    """The no-JavaScript way to add a span: by exact quote and occurrence."""
    require_annotator(request.user)
    article = article_or_404(pk)
    form = QuoteAnnotationForm(request.POST, article=article)
    if form.is_valid():
        annotation = Annotation(
            article=article,
            reviewer=request.user,
            label=form.cleaned_data["label"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            note=form.cleaned_data["note"],
        )
        try:
            annotation.anchor_and_check()
            writes.save(annotation, request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except IntegrityError:
            form.add_error(None, "This span conflicts with one already stored.")
        else:
            messages.success(request, f"Added {annotation.get_label_display().lower()}.")
            return redirect(article)
    return _render_article(request, article, form, status=400)


@require_POST
def article_review(request, pk):
    """Save what the reviewer says the page shows: genre label, byline, date, bio, headline."""
    require_annotator(request.user)
    article = article_or_404(pk)
    review = ArticleReview.objects.filter(article=article, reviewer=request.user).first()
    form = ArticleReviewForm(
        request.POST, instance=review or ArticleReview(article=article, reviewer=request.user)
    )
    if form.is_valid():
        form.save()
        messages.success(request, "Saved your review of the page.")
        return redirect(article)
    return _render_article(request, article, review_form=form, status=400)


@require_POST
def annotation_delete(request, pk):
    require_annotator(request.user)
    annotation = get_annotation_for_user(request.user, pk, for_change=True)
    unlinked = writes.delete(annotation, request.user)
    messages.success(request, f"Annotation deleted. {unlinked_message(unlinked)}".strip())
    return redirect(annotation.article)


@require_POST
def article_done(request, pk):
    require_annotator(request.user)
    article = get_object_or_404(Article, pk=pk)
    review, _ = ArticleReview.objects.get_or_create(article=article, reviewer=request.user)
    review.set_done(request.POST.get("done") == "1")
    messages.success(request, "Marked done." if review.done else "Marked as not done.")
    return redirect(article)


@require_GET
def guidelines(request):
    return render(
        request,
        "annotator/guidelines.html",
        {
            "speaker_types": SpeakerType.choices,
            "cue_stances": CueStance.choices,
            "quote_types": QuoteType.choices,
            "opinion_types": OpinionType.choices,
        },
    )


@require_GET
def metrics_help(request):
    return render(
        request,
        "annotator/metrics_help.html",
        {
            "metrics": METRICS,
            "min_articles": settings.PROFILE_MIN_ARTICLES,
            "min_alpha": settings.PROFILE_MIN_ALPHA,
        },
    )
