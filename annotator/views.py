"""Server-rendered pages: fetch with permission, validate, call the model, respond."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import text
from .forms import QuoteAnnotationForm
from .models import (
    Annotation,
    Article,
    ArticleReview,
    CueStance,
    Label,
    OpinionType,
    QuoteType,
    Source,
    Speaker,
    SpeakerType,
)
from .permissions import get_annotation_for_user, require_annotator
from .serializers import AnnotationSerializer, SpeakerSerializer
from .summaries import source_summaries

SPEAKER_TYPE_NAMES = {**dict(SpeakerType.choices), "": "Unspecified"}


@require_GET
def article_list(request):
    require_annotator(request.user)
    articles = (
        Article.objects.with_reviewer_progress(request.user).select_related("source").defer("body")
    )
    return render(request, "annotator/article_list.html", {"articles": articles})


def _shown_annotations(request, article):
    """The reviewer's own spans; staff may ask for every reviewer's with ?all=1."""
    show_all = request.user.is_staff and request.GET.get("all") == "1"
    annotations = Annotation.objects.filter(article=article).select_related("reviewer")
    if not show_all:
        annotations = annotations.for_reviewer(request.user)
    return show_all, annotations.in_text_order()


def _render_article(request, article, form, status=200):
    show_all, annotations = _shown_annotations(request, article)
    annotations = list(annotations)
    review = ArticleReview.objects.filter(article=article, reviewer=request.user).first()
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
        "showAll": show_all,
        "annotations": AnnotationSerializer(annotations, many=True).data,
        "speakers": SpeakerSerializer(Speaker.objects.all(), many=True).data,
        "choices": choices,
        "urls": {
            "annotations": reverse("api-article-annotations", args=[article.pk]),
            "annotation": reverse("api-annotation", args=[0]),
            "speakers": reverse("api-speaker-list"),
        },
    }
    context = {
        "article": article,
        "paragraphs": text.paragraphs(article.body),
        "annotations": annotations,
        "show_all": show_all,
        "done": bool(review and review.done),
        "form": form,
        "page_data": page_data,
    }
    return render(request, "annotator/article_detail.html", context, status=status)


@require_GET
def article_detail(request, pk):
    require_annotator(request.user)
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    return _render_article(request, article, QuoteAnnotationForm(article=article))


@require_POST
def annotation_add(request, pk):
    """The no-JavaScript way to add a span: by exact quote and occurrence."""
    require_annotator(request.user)
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
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
            with transaction.atomic():
                annotation.save()
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
def annotation_delete(request, pk):
    require_annotator(request.user)
    annotation = get_annotation_for_user(request.user, pk, for_change=True)
    annotation.delete()
    messages.success(request, "Annotation deleted.")
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
def source_list(request):
    require_annotator(request.user)
    summaries = source_summaries(request.user)
    return render(
        request,
        "annotator/source_list.html",
        {
            "identified": [row for row in summaries if row[0].identified],
            "unidentified": [row for row in summaries if not row[0].identified],
            "speaker_type_names": SPEAKER_TYPE_NAMES,
        },
    )


@require_GET
def source_detail(request, pk):
    require_annotator(request.user)
    source = get_object_or_404(Source, pk=pk)
    [(source, figures, articles)] = source_summaries(request.user, [source])
    return render(
        request,
        "annotator/source_detail.html",
        {
            "source": source,
            "figures": figures,
            "articles": articles,
            "speaker_type_names": SPEAKER_TYPE_NAMES,
        },
    )


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
