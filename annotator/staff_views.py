"""Staff pages: dealing work queues and adjudicating disagreements."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import adjudication
from .api_errors import InvalidForm
from .converters import DATABASE_ID_MAX
from .forms import AssignmentListQuery, QueueForm
from .models import Adjudication, Annotation, Article, Assignment, Layer, unlinked_message
from .pagination import page_links
from .permissions import require_staff
from .workqueue import plan_assignments


@require_http_methods(["GET", "POST"])
def queue(request):
    require_staff(request.user)
    form = QueueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        articles = Article.objects.all()
        if form.cleaned_data["source"]:
            articles = articles.filter(source=form.cleaned_data["source"])
        if form.cleaned_data["only_unassigned"]:
            articles = articles.filter(assignments__isnull=True)
        reviewers = list(form.cleaned_data["reviewers"])
        plan = plan_assignments(
            list(articles.order_by("pk").values_list("pk", flat=True)),
            [reviewer.pk for reviewer in reviewers],
            form.cleaned_data["double_share"] / 100,
            form.cleaned_data["seed"],
        )
        created = Assignment.objects.deal(
            plan,
            request.user,
            at_random=form.cleaned_data["agreement_suggestions"] == QueueForm.AT_RANDOM,
            seed=form.cleaned_data["seed"],
        )
        messages.success(
            request, f"Dealt {len(created)} assignment(s) to {len(reviewers)} reviewer(s)."
        )
        return redirect("annotator:queue")
    listing = AssignmentListQuery(request.GET)
    if not listing.is_valid():
        raise InvalidForm(listing)
    dealt = listing.filtered(
        Assignment.objects.with_done()
        .select_related("article", "reviewer", "assigned_by")
        .order_by("-created", "article__seed_file", "article_id", "reviewer__username")
    )
    listed = Paginator(dealt, ASSIGNMENTS_PER_PAGE).get_page(listing.cleaned_data["page"])
    return render(
        request,
        "annotator/queue.html",
        {
            "form": form,
            "progress": Assignment.objects.progress(),
            "listing": listing,
            "listed": listed,
            "pages": page_links(request, listed),
        },
    )


ASSIGNMENTS_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
def adjudicate(request, pk):
    """Reviewers' spans side by side, disagreements marked; accept or reject each, and mark
    the adjudicated layer complete once it holds."""
    require_staff(request.user)
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    layer = (
        Adjudication.objects.filter(article=article)
        .select_related("adjudicator", "completed_by")
        .first()
    )
    if request.method == "POST":
        return _apply_decision(request, article, layer)
    clusters = adjudication.clusters(article, layer)
    reviewers = sorted(
        {
            span.reviewer
            for cluster in clusters
            for spans in cluster.by_reviewer.values()
            for span in spans
        },
        key=lambda user: user.username,
    )
    reviewer_ids = [reviewer.pk for reviewer in reviewers]
    complete = layer is not None and layer.is_complete
    rows = []
    for cluster in clusters:
        disagreement = cluster.disagreement(reviewer_ids)
        rows.append(
            {
                "cluster": cluster,
                "quote": article.body[cluster.start : cluster.end],
                "cells": [cluster.by_reviewer.get(reviewer.pk, []) for reviewer in reviewers],
                "disagreement": disagreement,
                # Marking the layer complete decides every passage left out of it.
                "open": bool(disagreement) and not (cluster.decided or complete),
            }
        )
    return render(
        request,
        "annotator/adjudicate.html",
        {
            "article": article,
            "reviewers": reviewers,
            "rows": rows,
            "layer": layer,
            "disagreements": sum(1 for row in rows if row["open"]),
        },
    )


class DecisionForm(forms.Form):
    """One button on the adjudication page: accept or reject a span; start, complete,
    reopen or discard the layer."""

    # The layer a span is taken from, for the actions on one span.
    SPAN_LAYERS = {"accept": Layer.RAW, "reject": Layer.ADJUDICATED}

    action = forms.ChoiceField(
        choices=[
            (name, name) for name in ("accept", "reject", "start", "complete", "reopen", "discard")
        ]
    )
    span = forms.IntegerField(required=False, min_value=1, max_value=DATABASE_ID_MAX)

    def __init__(self, *args, layer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.layer = layer

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in self.SPAN_LAYERS and cleaned.get("span") is None:
            self.add_error("span", "Say which span to accept or reject.")
        complete = self.layer is not None and self.layer.is_complete
        if action == "complete" and (self.layer is None or complete):
            self.add_error(
                "action",
                "The adjudicated layer is already complete."
                if complete
                else "There is no adjudicated layer to mark complete; start one first.",
            )
        if action == "reopen" and not complete:
            self.add_error("action", "The adjudicated layer is not complete, so not reopened.")
        return cleaned

    def chosen_span(self, article):
        """The span the action is on, in the article and the layer it is taken from.

        Only a placed span is accepted: an orphan's quote no longer stands at its offsets.
        """
        action = self.cleaned_data["action"]
        spans = Annotation.objects.filter(article=article, layer=self.SPAN_LAYERS[action])
        if action == "accept":
            spans = spans.placed()
        return get_object_or_404(spans, pk=self.cleaned_data["span"])


def _apply_decision(request, article, layer):
    decision = DecisionForm(request.POST, layer=layer)
    if not decision.is_valid():
        raise InvalidForm(decision)
    action = decision.cleaned_data["action"]
    if action == "accept":
        span = decision.chosen_span(article)
        adjudication.accept(span, request.user)
        messages.success(request, f"Accepted {span.reviewer.username}'s {span.label}.")
    elif action == "reject":
        try:
            unlinked = adjudication.reject(decision.chosen_span(article), request.user)
        except Annotation.DoesNotExist as deleted_meanwhile:
            raise Http404(str(deleted_meanwhile)) from deleted_meanwhile
        messages.success(
            request,
            f"Removed the span from the adjudicated layer. {unlinked_message(unlinked)}".strip(),
        )
    elif action == "start":
        adjudication.start_empty(article, request.user)
        messages.success(
            request,
            "Started an adjudicated layer; accept the spans that hold, then mark it complete.",
        )
    elif action == "complete":
        layer.mark_complete(request.user)
        messages.success(request, "The adjudicated layer is complete: summaries now use it.")
    elif action == "reopen":
        layer.reopen()
        messages.success(
            request, "Reopened the adjudicated layer; summaries use the reviewers' mean meanwhile."
        )
    else:
        adjudication.discard(article)
        messages.success(
            request, "Discarded the adjudicated layer; summaries use the reviewers' mean."
        )
    return redirect(reverse("annotator:adjudicate", args=[article.pk]))
