"""Server-rendered pages: fetch with permission, validate, call the model, respond."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import BooleanField, ExpressionWrapper, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import span_schema, text
from .api_errors import InvalidForm
from .forms import (
    ARTICLE_VIEWS,
    ArticleListQuery,
    ArticlePageQuery,
    ArticleReviewForm,
    DeleteAnnotationForm,
    QuoteAnnotationForm,
)
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
from .pagination import page_links
from .permissions import NO_SUCH_ANNOTATION, get_annotation_for_user, require_annotator
from .profiles.evidence import counted_filter
from .profiles.maths import METRICS, WITH_SUGGESTIONS
from .serializers import SpeakerSerializer
from .study import GUIDELINES_VERSION

ARTICLES_PER_PAGE = 50


@require_GET
def article_list(request):
    """Articles with the reader's progress: searched, filtered, ordered and paged by the URL."""
    require_annotator(request.user)
    query = ArticleListQuery(request.GET)
    if not query.is_valid():
        raise InvalidForm(query)
    articles = (
        Article.objects.with_reviewer_progress(request.user)
        .with_queue(request.user)
        .select_related("source")
    )
    if request.user.is_staff:
        articles = articles.with_assignment_progress()
    listed = Paginator(query.filtered(articles), ARTICLES_PER_PAGE).get_page(
        query.cleaned_data["page"]
    )
    return render(
        request,
        "annotator/article_list.html",
        {
            "query": query,
            "listed": listed,
            "pages": page_links(request, listed),
            "filtered": any(query.cleaned_data[name] for name in FILTERS),
            "queue": Assignment.objects.filter(reviewer=request.user).progress().first(),
        },
    )


# The article list's query fields that narrow it (rather than order or page it).
FILTERS = ("q", "source", "state", "queue", "published_from", "published_to")


# What the page shows and its script reads of each span: name -> values() lookup.
PAGE_SPAN_FIELDS = {
    **{
        name: name
        for name in ("id", "label", "start", "end", "quote", "note", "orphaned", "suggested_by")
    },
    "reviewer": "reviewer__username",
    **{field.name: field.column for field in span_schema.LABEL_FIELDS},
}


def _label_fields_for_script():
    """Each label field as the page's script draws and sends it (span_schema, and the
    model field's name and choices)."""
    described = []
    for field in span_schema.LABEL_FIELDS:
        model_field = Annotation._meta.get_field(field.name)
        described.append(
            {
                "name": field.name,
                "kind": field.kind,
                "labels": field.labels,
                "title": str(model_field.verbose_name),
                "choices": model_field.choices or [],
            }
        )
    return described


def _shown(view, article, reviewer, figure=None, suggestions=WITH_SUGGESTIONS):
    """The reviewer's own spans; every reviewer's; or the adjudicated layer (all with orphans),
    as dicts of PAGE_SPAN_FIELDS; and the ids of the placed ones that ``figure`` (a
    :class:`.maths.Metric` counting spans, or None) counts, with or without accepted
    ``suggestions`` as its profile counted them, read in the same query."""
    annotations = article.annotations.all()
    if view == "all":
        annotations = annotations.raw()
    elif view == "adjudicated":
        annotations = annotations.adjudicated()
    else:
        annotations = annotations.for_reviewer(reviewer)
    counted = Value(False)
    if figure is not None:
        counted = ExpressionWrapper(
            counted_filter(figure.key, suggestions), output_field=BooleanField()
        )
    rows = (
        annotations.in_text_order()
        .annotate(counted=counted)
        .values_list("counted", *PAGE_SPAN_FIELDS.values())
    )
    shown, counted_ids = [], set()
    for is_counted, *values in rows:
        span = dict(zip(PAGE_SPAN_FIELDS, values, strict=True))
        shown.append(span)
        if is_counted and not span["orphaned"]:
            counted_ids.add(span["id"])
    return shown, counted_ids


# The no-JavaScript list shows this many characters of a quote at most, and this many
# spans a page: the script draws the whole list from the page's data and replaces it.
LISTED_QUOTE_LENGTH = 160
LISTED_PER_PAGE = 100


def span_list_page(request, annotations, counted_ids, number):
    """One page of the no-JavaScript span list, with the URLs of its neighbours."""
    listed = Paginator(annotations, LISTED_PER_PAGE).get_page(number)
    listed.items = span_list_items(listed, counted_ids, request.user.get_username())
    listed.neighbours = page_links(request, listed)
    return listed


def span_list_items(annotations, counted_ids, username):
    """The spans as the no-JavaScript list shows them, every value it writes worked out here
    (the template only writes them out). Only the reader's own spans get a Delete button."""
    label_names = dict(Label.choices)
    return [
        {
            "id": str(span["id"]),
            "label": span["label"],
            "label_name": label_names[span["label"]],
            "counted": span["id"] in counted_ids,
            "reviewer": span["reviewer"],
            "place": f"{span['start']}–{span['end']}",
            "quote": text.shortened(span["quote"], LISTED_QUOTE_LENGTH),
            "note": span["note"],
            "suggested_by": span["suggested_by"],
            "own": span["reviewer"] == username,
        }
        for span in annotations
    ]


def _article(pk):
    return get_object_or_404(Article.objects.select_related("source"), pk=pk)


def _render_article(request, article, form=None, review_form=None, status=200):
    """The article page; ``form`` and ``review_form`` only when bound (shown with their errors),
    otherwise fresh ones."""
    query = ArticlePageQuery(request.GET)
    if not query.is_valid():
        raise InvalidForm(query)
    # Reviewers see their own spans; staff may show every reviewer's or the adjudicated layer.
    view = (query.cleaned_data["view"] or "mine") if request.user.is_staff else "mine"
    figure = query.cleaned_data["evidence"]
    shown, counted_ids = _shown(
        view, article, request.user, figure, query.cleaned_data["suggestions"]
    )
    annotations = [span for span in shown if not span["orphaned"]]
    review = ArticleReview.objects.filter(article=article, reviewer=request.user).first()
    # Only the speakers of the spans shown; the script asks the API for others by name.
    # As the speakers API writes them: its serializer's fields, every one a plain column.
    speakers = Speaker.objects.filter(
        pk__in={span["speaker"] for span in annotations} - {None}
    ).values(*SpeakerSerializer.Meta.fields)
    # Suggestions are for the reader's own spans, where the anchoring-bias guard allows them.
    suggestions_allowed = view == "mine" and Assignment.objects.suggestions_allowed(
        request.user, article
    )
    page_data = {
        "articleId": article.pk,
        "body": article.body,
        "username": request.user.get_username(),
        "view": view,
        "showReviewer": view != "mine",
        "editAll": view == "adjudicated",
        "canCreate": view == "mine",
        "annotations": annotations,
        "counted": sorted(counted_ids),
        "figure": figure.name if figure else None,
        "speakers": list(speakers),
        "labels": Label.choices,
        "fields": _label_fields_for_script(),
        "suggestions": (
            {"url": reverse("api-article-suggestions", args=[article.pk])}
            if suggestions_allowed
            else None
        ),
        "urls": {
            "annotations": reverse("api-article-annotations", args=[article.pk]),
            "annotation": reverse("api-annotation", args=[0]),
            "speakers": reverse("api-speaker-list"),
        },
    }
    context = {
        "article": article,
        "annotations": annotations,
        "listed": span_list_page(request, annotations, counted_ids, query.cleaned_data["page"]),
        "figure": figure,
        "counted_ids": counted_ids,
        "orphans": [span for span in shown if span["orphaned"]],
        "revisions": article.revisions(),
        "label_names": dict(Label.choices),
        "page_data": page_data,
        "view": view,
        "views": ARTICLE_VIEWS,
        "suggestions_off": view == "mine" and not suggestions_allowed,
        "done": bool(review and review.done),
        # Once it is done, where the reviewer's queue goes on.
        "next_in_queue": review
        and review.done
        and Assignment.objects.next_for(request.user, after=article),
        "form": form or QuoteAnnotationForm(article=article),
        "review_form": review_form or ArticleReviewForm(instance=review),
    }
    return render(request, "annotator/article_detail.html", context, status=status)


@require_GET
def article_detail(request, pk):
    require_annotator(request.user)
    return _render_article(request, _article(pk))


@require_POST
def annotation_add(request, pk):
    """The no-JavaScript way to add a span: by exact quote and occurrence."""
    require_annotator(request.user)
    article = _article(pk)
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
            annotation.save_by(request.user)
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
    article = _article(pk)
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
    """The no-JavaScript delete: each button of the article's span list posts its span's id."""
    require_annotator(request.user)
    form = DeleteAnnotationForm(request.POST)
    if not form.is_valid():
        raise InvalidForm(form)
    annotation = get_annotation_for_user(
        request.user, form.cleaned_data["annotation"], for_change=True
    )
    if annotation.article_id != pk:
        raise Http404(NO_SUCH_ANNOTATION)
    try:
        unlinked = annotation.delete_by(request.user)
    except Annotation.DoesNotExist as error:
        raise Http404(NO_SUCH_ANNOTATION) from error
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
@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links: the site's SVG icon answers."""
    return redirect(static("annotator/favicon.svg"))


@require_GET
def guidelines(request):
    return render(
        request,
        "annotator/guidelines.html",
        {
            "version": GUIDELINES_VERSION,
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
