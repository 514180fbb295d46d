"""Source profiles, the spans behind each figure, agreement, and table downloads."""

import csv
import json
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .api_errors import InvalidForm
from .forms import LAYER_VIEWS, ProfileQuery, StoredChoice
from .models import Annotation, ArticleReview, Assignment, Source, SpeakerType
from .permissions import require_annotator, require_staff
from .profiles import evidence, presentation
from .profiles.maths import BOOTSTRAP_RESAMPLES, SPEAKER_SHARE_KEYS, WITHOUT_SUGGESTIONS
from .profiles.reading import source_profiles

SPEAKER_TYPE_NAMES = {**dict(SpeakerType.choices), "": "Unspecified"}


def suggestions_shown(request) -> dict:
    """Whether the profile asked for counts accepted suggestions (``?suggestions=``; a bad
    value is a 400 naming it), as the templates read it: ``suggestions`` and the query to
    carry to the links of the figures."""
    query = ProfileQuery(request.GET)
    if not query.is_valid():
        raise InvalidForm(query)
    suggestions = query.cleaned_data["suggestions"]
    carried = f"suggestions={suggestions}" if suggestions == WITHOUT_SUGGESTIONS else ""
    return {"suggestions": suggestions, "suggestions_query": carried}


def _table_rows(request, shown):
    return presentation.table_rows(
        source_profiles(
            request.user,
            with_articles=False,
            intervals=presentation.TABLE_METRICS,
            suggestions=shown["suggestions"],
        )
    )


@require_GET
def source_list(request):
    require_annotator(request.user)
    shown = suggestions_shown(request)
    rows = [{**row, "cells": presentation.table_cells(row)} for row in _table_rows(request, shown)]
    return render(
        request,
        "annotator/source_list.html",
        {
            **shown,
            "columns": presentation.table_columns(),
            "identified": [row for row in rows if row["identified"]],
            "unidentified": [row for row in rows if not row["identified"]],
            "min_articles": settings.PROFILE_MIN_ARTICLES,
        },
    )


@require_GET
def source_table(request, fmt):
    """The sources table as CSV or JSON: the same values the page sorts."""
    require_annotator(request.user)
    if fmt not in ("csv", "json"):
        raise Http404("The table comes as CSV or JSON.")
    shown = suggestions_shown(request)
    rows = _table_rows(request, shown)
    columns = presentation.download_columns()
    if fmt == "json":
        table = {
            **presentation.suggestions_payload(shown["suggestions"]),
            "columns": dict(columns),
            "sources": rows,
        }
        response = HttpResponse(json.dumps(table, indent=2), content_type="application/json")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        keys = ["source_id", *[key for key, _ in columns]]
        writer.writerow(keys)
        for row in rows:
            writer.writerow([presentation.csv_cell(row[key]) for key in keys])
    name = "sources" if not shown["suggestions_query"] else "sources-without-suggestions"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_GET
def source_detail(request, pk):
    require_annotator(request.user)
    source = get_object_or_404(Source, pk=pk)
    shown = suggestions_shown(request)
    [profile] = source_profiles(
        request.user, [source], intervals=True, suggestions=shown["suggestions"]
    )
    charts = [(title, presentation.chart(profile, group)) for group, title in presentation.GROUPS]
    speaker_shares = [
        (
            SPEAKER_TYPE_NAMES[key.removeprefix("share_").replace("unspecified", "")],
            presentation.figure_payload(
                profile.figures.values[key],
                "share",
                profile.cautions[key],
                presentation.reliability(profile, key),
            ),
        )
        for key in SPEAKER_SHARE_KEYS
    ]
    return render(
        request,
        "annotator/source_detail.html",
        {
            **shown,
            "profile": profile,
            "source": source,
            "charts": charts,
            "speaker_shares": speaker_shares,
            "agreement_labels": presentation.label_rows(profile) if profile.agreement else [],
            "table_metrics": [
                presentation.METRICS_BY_KEY[key] for key in presentation.TABLE_METRICS
            ],
        },
    )


@require_GET
def source_evidence(request, pk, metric):
    require_annotator(request.user)
    source = get_object_or_404(Source, pk=pk)
    definition = presentation.METRICS_BY_KEY.get(metric)
    if definition is None:
        raise Http404("No such figure.")
    shown = suggestions_shown(request)
    context = {"source": source, "metric": definition, **shown}
    if metric == "transparency":
        reviews = ArticleReview.objects.filter(article__source=source).select_related(
            "article", "reviewer"
        )
        if not request.user.is_staff:
            reviews = reviews.filter(reviewer=request.user)
        context["reviews"] = reviews.order_by("article_id", "reviewer__username")
    else:
        spans = evidence.counted_spans(request.user, source, metric, shown["suggestions"])
        if spans is None:
            raise Http404("This figure does not count spans.")
        page = Paginator(spans, 200).get_page(request.GET.get("page"))
        context["page"] = page
        context["articles"] = _counted_articles(request.user, spans, metric, shown)
        context["links"] = {article.pk: article.evidence_url for article in context["articles"]}
    return render(request, "annotator/source_evidence.html", context)


def _counted_articles(user, spans, metric, shown):
    """Each article among ``spans`` (a figure's evidence), with the link opening it with those
    spans marked, in the layer they come from (a reviewer's own), counted as ``shown``."""
    articles = list(evidence.counted_articles(spans))
    for article in articles:
        query = {"evidence": metric}
        if shown["suggestions_query"]:
            query["suggestions"] = shown["suggestions"]
        if user.is_staff:
            query = {"view": LAYER_VIEWS[article.layer], **query}
        article.evidence_url = f"{article.get_absolute_url()}?{urlencode(query)}"
    return articles


class AgreementFilter(forms.Form):
    source = StoredChoice(
        queryset=Source.objects.all(),
        required=False,
        error_messages={"invalid_choice": "No source has this id."},
    )


@require_GET
def agreement(request):
    require_staff(request.user)
    query = AgreementFilter(request.GET)
    if not query.is_valid():
        raise InvalidForm(query)
    sources = Source.objects.all()
    if query.cleaned_data["source"]:
        sources = sources.filter(pk=query.cleaned_data["source"].pk)
    profiles = source_profiles(request.user, sources, intervals=True)
    dealt = Assignment.objects.filter(article__source__in=sources).dealt_conditions()
    spans = Annotation.objects.filter(article__source__in=sources).raw()
    return render(
        request,
        "annotator/agreement.html",
        {
            "suggestions": presentation.suggestion_rows(profiles, dealt),
            "accepted": presentation.accepted_suggestion_rows(spans.accepted_suggestion_counts()),
            "sections": [(profile, presentation.label_rows(profile)) for profile in profiles],
            "pairs": presentation.pair_rows(
                [pair for profile in profiles for row in profile.articles for pair in row.pairs]
            ),
            "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
        },
    )
