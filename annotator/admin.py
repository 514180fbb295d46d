from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from . import exporting, span_schema
from .models import (
    Adjudication,
    Annotation,
    Article,
    ArticleReview,
    Assignment,
    Layer,
    Source,
    Speaker,
)

admin.site.site_header = "Newsroom annotator administration"
admin.site.site_title = "Newsroom annotator"
admin.site.index_title = "Administration"

# How many characters of a quote or an article's title a list column shows.
QUOTE_COLUMN_LENGTH = 60
TITLE_COLUMN_LENGTH = 40


def may_change_span(user, span) -> bool:
    """Who changes, deletes or restores a span in admin (the API's rule, plus superusers).

    A reviewer's raw span belongs to that reviewer: other staff see it read-only
    and only a superuser corrects it (the change is recorded in its history). The
    adjudicated layer is staff's shared work: whoever is staff now may edit it.
    """
    if user.is_superuser:
        return True
    if span.layer == Layer.ADJUDICATED:
        return user.is_staff
    return span.reviewer_id == user.pk


class ArticleColumn:
    """A list column with the start of the row's article title, so the row fits one line."""

    @admin.display(description="Article", ordering="article")
    def article_title(self, record):
        return Truncator(str(record.article)).chars(TITLE_COLUMN_LENGTH)


class QuoteColumn:
    @admin.display(description="Quote")
    def quote_excerpt(self, span):
        return Truncator(span.quote).chars(QUOTE_COLUMN_LENGTH)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "identified", "article_count"]
    list_filter = ["identified"]
    search_fields = ["name", "domain"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, source):
        return source.article_total


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = [
        "title_excerpt",
        "source",
        "author",
        "date_shown",
        "word_count",
        "annotation_count",
    ]
    list_filter = ["source"]
    search_fields = ["title", "author", "seed_file"]
    readonly_fields = ["body_sha256", "word_count"]
    list_select_related = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(annotation_total=Count("annotations"))

    @admin.display(description="Annotations", ordering="annotation_total")
    def annotation_count(self, article):
        return article.annotation_total

    @admin.display(description="Article", ordering="title")
    def title_excerpt(self, article):
        return Truncator(str(article)).chars(TITLE_COLUMN_LENGTH)

    def get_readonly_fields(self, request, obj=None):
        # Offsets index the body: once anyone has annotated it, it must not change here.
        if obj is not None and obj.annotations.exists():
            return [*self.readonly_fields, "body"]
        return self.readonly_fields


@admin.action(description="Merge selected speakers into one")
def merge_speakers(modeladmin, request, queryset):
    """Ask which record survives, then fold the others into it."""
    speakers = list(queryset.annotate(annotation_total=Count("annotations")).order_by("name"))
    if len(speakers) < 2:
        modeladmin.message_user(request, "Select two or more speakers to merge.", messages.WARNING)
        return None
    moved_spans = Annotation.objects.filter(speaker__in=speakers).only("layer", "reviewer_id")
    if not all(may_change_span(request.user, span) for span in moved_spans.iterator()):
        modeladmin.message_user(
            request,
            "These speakers are linked to other reviewers' annotations: "
            "only a superuser can merge them.",
            messages.ERROR,
        )
        return None
    survivor_id = request.POST.get("survivor")
    if survivor_id:
        survivor = next((s for s in speakers if str(s.pk) == survivor_id), None)
        if survivor is None:
            modeladmin.message_user(request, "Choose one of the selected speakers.", messages.ERROR)
            return None
        moved = sum(s.annotation_total for s in speakers if s.pk != survivor.pk)
        try:
            survivor.merge([s for s in speakers if s.pk != survivor.pk])
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            f"Merged {len(speakers) - 1} speaker(s) into {survivor.name}; "
            f"{moved} annotation(s) moved, their names kept as aliases.",
        )
        return None
    return TemplateResponse(
        request,
        "admin/annotator/speaker/merge.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Merge speakers",
            "speakers": speakers,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "affiliation", "affiliation_detail", "alias_list"]
    list_filter = ["affiliation"]
    search_fields = ["name", "aliases", "affiliation_detail"]
    actions = [merge_speakers]

    @admin.display(description="Aliases")
    def alias_list(self, speaker):
        return ", ".join(speaker.aliases)


@admin.action(description="Export selected annotations as JSON")
def export_selected(modeladmin, request, queryset):
    chunks = exporting.stream("native", queryset, {}, timezone.now())
    response = StreamingHttpResponse(chunks, content_type=exporting.CONTENT_TYPES["native"])
    response["Content-Disposition"] = 'attachment; filename="annotations.json"'
    return response


@admin.register(Annotation)
class AnnotationAdmin(ArticleColumn, QuoteColumn, SimpleHistoryAdmin):
    """Spans are made by reviewers against the body, on the article page: admin has no add
    form. Admins correct a span's label fields and note, never its place, so quote and
    context can never drift from the body; the change form shows only the fields the
    span's label owns (``span_schema.fields_of``)."""

    list_display = ["id", "label", "quote_excerpt", "article_title", "reviewer", "updated"]
    list_filter = ["label", "layer", "orphaned", "reviewer", "article__source"]
    search_fields = ["quote", "note"]
    list_select_related = ["article", "reviewer"]
    readonly_fields = [
        *(name for name in span_schema.PLACE if name not in ("id", "note")),
        "adjudicated_from",
    ]
    raw_id_fields = ["attribution"]
    autocomplete_fields = ["speaker"]
    actions = [export_selected]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": self.readonly_fields}),
            (
                f"{obj.get_label_display()} fields",
                {"fields": [*span_schema.fields_of(obj.label), "note"]},
            ),
        ]

    def has_add_permission(self, request):
        return False

    def response_change(self, request, obj):
        """A deleted span saved back from its history is said to be restored, and shown."""
        before_this_save = obj.history.all()[1:2].values_list("history_type", flat=True)
        if list(before_this_save) != ["-"]:
            return super().response_change(request, obj)
        change_url = reverse("admin:annotator_annotation_change", args=[obj.pk])
        self.message_user(
            request,
            format_html('The annotation “<a href="{}">{}</a>” was restored.', change_url, obj),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_span(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_span(request.user, obj))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a posted revert (or a restore of a deleted
        # span) after checking only that the user may view the span.
        if request.method == "POST":
            version = get_object_or_404(Annotation.history, id=object_id, history_id=version_id)
            if not self.has_change_history_permission(request, version.instance):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ArticleReview)
class ArticleReviewAdmin(ArticleColumn, admin.ModelAdmin):
    list_display = ["article_title", "reviewer", "done", "done_at"]
    list_filter = ["done", "reviewer"]
    list_select_related = ["article", "reviewer"]


@admin.register(Assignment)
class AssignmentAdmin(ArticleColumn, admin.ModelAdmin):
    list_display = ["article_title", "reviewer", "assigned_by", "created"]
    list_filter = ["reviewer"]
    list_select_related = ["article", "reviewer", "assigned_by"]


@admin.register(Adjudication)
class AdjudicationAdmin(ArticleColumn, admin.ModelAdmin):
    list_display = ["article_title", "adjudicator", "completed_at", "completed_by", "updated"]
    list_select_related = ["article", "adjudicator", "completed_by"]
    # Marked complete or reopened on the adjudication page, which records who and when.
    readonly_fields = ["completed_at", "completed_by"]


@admin.register(Annotation.history.model)
class DeletedAnnotationAdmin(QuoteColumn, admin.ModelAdmin):
    """Deleted annotations, each with a link to restore it from its history."""

    list_display = [
        "id",
        "label",
        "quote_excerpt",
        "reviewer",
        "history_user",
        "history_date",
        "restore",
    ]
    list_filter = ["label", "history_user"]
    search_fields = ["quote"]
    list_select_related = ["reviewer", "history_user"]

    def get_queryset(self, request):
        deleted = super().get_queryset(request).filter(history_type="-")
        last_version = (
            Annotation.history.filter(id=OuterRef("id"))
            .exclude(history_type="-")
            .values("history_id")[:1]
        )
        return deleted.exclude(id__in=Annotation.objects.values("pk")).annotate(
            last_version_id=Subquery(last_version)
        )

    @admin.display(description="Restore")
    def restore(self, record):
        if record.last_version_id is None:
            return "—"
        url = reverse(
            "admin:annotator_annotation_simple_history",
            args=[record.id, record.last_version_id],
        )
        return format_html('<a href="{}">review and restore</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the history is the record of who changed what
