"""The JSON API: thin views over the same models, permissions and summaries as the pages.

Each view's docstring opens with the line that ``GET /api/`` and the schema show for it.
"""

import inspect
import re

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import exporting, pagination
from .converters import DATABASE_ID_MAX
from .models import (
    Annotation,
    Article,
    Assignment,
    Label,
    Layer,
    Source,
    Speaker,
    unlinked_message,
)
from .models.corpus import SPEAKER_NAME_MAX_LENGTH
from .permissions import NO_SUCH_ANNOTATION, CanAnnotate, get_annotation_for_user
from .profiles.maths import WITH_SUGGESTIONS, WITHOUT_SUGGESTIONS
from .profiles.presentation import profile_payload
from .profiles.reading import source_profiles
from .serializers import (
    LISTED_COLUMNS,
    AnnotationSerializer,
    ArticleDetailSerializer,
    ArticleSerializer,
    SourceSerializer,
    SpeakerSerializer,
    SuggestionsSerializer,
    listed_spans,
)
from .suggestions import engine
from .throttling import SuggestionsThrottle


class ArticleList(generics.ListAPIView):
    """Articles with the caller's progress on each, a page at a time."""

    permission_classes = [CanAnnotate]
    serializer_class = ArticleSerializer

    def get_queryset(self):
        return (
            Article.objects.with_reviewer_progress(self.request.user)
            .select_related("source")
            .defer("body")
        )


class ArticleDetail(generics.RetrieveAPIView):
    """One article with its body and the caller's progress on it."""

    permission_classes = [CanAnnotate]
    serializer_class = ArticleDetailSerializer

    def get_queryset(self):
        return Article.objects.with_reviewer_progress(self.request.user).select_related("source")


class AnnotationListQuery(serializers.Serializer):
    reviewer = serializers.CharField(
        required=False,
        max_length=get_user_model()._meta.get_field("username").max_length,
        help_text="Staff: only this reviewer's spans (username).",
    )


@extend_schema_view(get=extend_schema(parameters=[AnnotationListQuery]))
class ArticleAnnotations(generics.ListCreateAPIView):
    """The caller's spans on one article, or a new one (staff: everyone's, ?reviewer= for one)."""

    permission_classes = [CanAnnotate]
    serializer_class = AnnotationSerializer

    def get_article(self):
        return get_object_or_404(Article, pk=self.kwargs["pk"])

    def get_queryset(self):
        annotations = (
            Annotation.objects.visible_to(self.request.user)
            .filter(article_id=self.kwargs["pk"])
            .in_text_order()
        )
        query = AnnotationListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        reviewer = query.validated_data.get("reviewer")
        if reviewer:
            annotations = annotations.filter(reviewer__username=reviewer)
        return annotations

    def list(self, request, *args, **kwargs):
        # The article must exist; its body is only needed to write a span.
        get_object_or_404(Article.objects.only("id"), pk=self.kwargs["pk"])
        rows = self.paginate_queryset(self.get_queryset().values_list(*LISTED_COLUMNS))
        return self.get_paginated_response(listed_spans(rows))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.method == "POST":
            context["article"] = self.get_article()
        return context


class AnnotationDetail(generics.RetrieveUpdateDestroyAPIView):
    """One span: read it, or change or delete one of the caller's own."""

    permission_classes = [CanAnnotate]
    serializer_class = AnnotationSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self):
        return get_annotation_for_user(
            self.request.user, self.kwargs["pk"], for_change=self.request.method != "GET"
        )

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response({**serializer.data, **unlinked_answer(serializer.unlinked)})

    def destroy(self, request, *args, **kwargs):
        try:
            unlinked = self.get_object().delete_by(request.user)
        except Annotation.DoesNotExist as error:
            raise NotFound(NO_SUCH_ANNOTATION) from error
        if unlinked:
            return Response(unlinked_answer(unlinked))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnotationRestore(APIView):
    """Undo a deletion: the span the requesting user deleted comes back with its id and
    fields (``Annotation.restore_by``); any other id is a 404, as a missing span is."""

    permission_classes = [CanAnnotate]

    @extend_schema(request=None, responses={201: AnnotationSerializer})
    def post(self, request, pk):
        try:
            span = Annotation.restore_by(request.user, pk)
        except Annotation.DoesNotExist as error:
            raise NotFound(NO_SUCH_ANNOTATION) from error
        except IntegrityError as error:
            raise serializers.ValidationError(
                {"non_field_errors": ["This span conflicts with one already stored."]}
            ) from error
        data = AnnotationSerializer(span, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


SUGGESTIONS_OFF = "Suggestions are off for this assignment (agreement article)."
SUGGESTIONS_KEPT = 24 * 60 * 60  # seconds: a day of one text's suggestions in the cache


class ArticleSuggestions(APIView):
    """Suggested spans for the caller on one article, in code points; asking stores nothing."""

    permission_classes = [CanAnnotate]
    throttle_classes = [SuggestionsThrottle]

    @extend_schema(responses={200: SuggestionsSerializer})
    def get(self, request, pk):
        article = get_object_or_404(Article.objects.only("id", "body", "body_sha256"), pk=pk)
        if not Assignment.objects.suggestions_allowed(request.user, article):
            raise PermissionDenied(SUGGESTIONS_OFF)
        # The caller's own spans: a suggestion standing exactly where one of them stands is
        # left out, and a claim's suggested attribution found there is named by its id.
        own = {
            (label, start, end): pk
            for pk, label, start, end in article.annotations.for_reviewer(request.user)
            .placed()
            .values_list("pk", "label", "start", "end")
        }
        # What the engine makes of a body depends on nothing else (not on who asks), so
        # it is kept for the next reader of the same text by the same engine.
        suggestions = cache.get_or_set(
            f"suggestions:{engine.identity()}:{article.body_sha256}",
            lambda: engine.suggest(article.body),
            timeout=SUGGESTIONS_KEPT,
        )
        places = {each.key: (each.label, each.start, each.end) for each in suggestions}
        listed = [
            {**each.as_dict(), "attribution_span": own.get(places.get(each.attribution))}
            for each in suggestions
            if (each.label, each.start, each.end) not in own
        ]
        return Response({"engine": engine.identity(), "suggestions": listed})


def unlinked_answer(unlinked: list[int]) -> dict:
    """What a change or delete says when it unlinked claims or opinions (nothing otherwise)."""
    if not unlinked:
        return {}
    return {
        "unlinked": unlinked,
        "detail": unlinked_message(unlinked),
    }


class SourceList(generics.ListAPIView):
    """The sources (outlets) articles come from, a page at a time."""

    permission_classes = [CanAnnotate]
    serializer_class = SourceSerializer
    queryset = Source.objects.all()


class SpeakerPages(pagination.LimitOffsetPagination):
    """Speakers a page at a time: enough for a list of suggestions, never the whole table."""

    default_limit = 20
    max_limit = 100


class SpeakerQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=SPEAKER_NAME_MAX_LENGTH,
        help_text="Part of a name or an alias, any case.",
    )


class SpeakerList(generics.ListCreateAPIView):
    """Speakers by name, a page at a time, or a new one; ?q= finds a name or an alias."""

    permission_classes = [CanAnnotate]
    serializer_class = SpeakerSerializer
    pagination_class = SpeakerPages

    @extend_schema(parameters=[SpeakerQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = SpeakerQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data.get("q")
        return Speaker.objects.matching(text) if text else Speaker.objects.all()


class SummaryQuery(serializers.Serializer):
    suggestions = serializers.ChoiceField(
        choices=[WITH_SUGGESTIONS, WITHOUT_SUGGESTIONS],
        default=WITH_SUGGESTIONS,
        help_text="exclude: leave out the spans reviewers made by accepting a suggestion.",
    )


class SourceSummary(APIView):
    """A source's full profile: every figure with its articles, reviewers and 95% interval."""

    permission_classes = [CanAnnotate]

    @extend_schema(parameters=[SummaryQuery], responses={200: dict})
    def get(self, request, pk):
        source = get_object_or_404(Source, pk=pk)
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        [profile] = source_profiles(
            request.user, [source], intervals=True, suggestions=query.validated_data["suggestions"]
        )
        return Response(profile_payload(profile, SourceSerializer(source).data))


class ExportQuery(serializers.Serializer):
    """Every filter checked before the first byte: a streamed export cannot turn into an error."""

    format = serializers.ChoiceField(choices=exporting.FORMATS, default="native")
    source = serializers.IntegerField(required=False, min_value=1, max_value=DATABASE_ID_MAX)
    article = serializers.IntegerField(required=False, min_value=1, max_value=DATABASE_ID_MAX)
    reviewer = serializers.CharField(required=False)
    label = serializers.ChoiceField(choices=Label.choices, required=False)
    layer = serializers.ChoiceField(choices=Layer.choices, required=False)
    since = serializers.DateTimeField(required=False)


class Export(APIView):
    """The export as a streamed download: the caller's own spans, or everyone's for staff."""

    permission_classes = [CanAnnotate]

    @extend_schema(
        parameters=[ExportQuery],
        # One media type per format (the W3C one without its profile parameter).
        responses={
            (200, content_type.split(";")[0]): dict
            for content_type in exporting.CONTENT_TYPES.values()
        },
    )
    def get(self, request):
        query = ExportQuery(data=request.query_params)
        if not query.is_valid():
            return Response(query.errors, status=status.HTTP_400_BAD_REQUEST)
        filters = dict(query.validated_data)
        fmt = filters.pop("format")
        chunks = exporting.stream(
            fmt, Annotation.objects.visible_to(request.user), filters, timezone.now()
        )
        response = StreamingHttpResponse(chunks, content_type=exporting.CONTENT_TYPES[fmt])
        name = f"annotations.{exporting.EXTENSIONS[fmt]}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class EndpointSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Absolute; an id in the path is written {id}.")
    methods = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()


class APIRootSerializer(serializers.Serializer):
    endpoints = EndpointSerializer(many=True)
    schema = serializers.CharField(help_text="The OpenAPI schema (YAML, or JSON when asked).")
    docs = serializers.CharField(help_text="The schema as a page to read and try (Swagger UI).")


PATH_PARAMETER = re.compile(r"<[^>]+>")
NOT_LISTED_METHODS = ("head", "options")


def describe_endpoint(api_root_url, pattern) -> dict:
    """A URL pattern's absolute URL, its methods and its view's one-line docstring."""
    view = pattern.callback.cls
    return {
        "url": api_root_url + PATH_PARAMETER.sub("{id}", str(pattern.pattern)),
        "methods": [
            method.upper()
            for method in view.http_method_names
            if method not in NOT_LISTED_METHODS and hasattr(view, method)
        ],
        "description": inspect.getdoc(view).splitlines()[0],
    }


class APIRoot(APIView):
    """Every endpoint with its methods, and where the schema and its docs are."""

    permission_classes = [CanAnnotate]
    endpoints = ()  # the URL patterns listed: api_urls gives them

    @extend_schema(tags=["overview"], responses=APIRootSerializer)
    def get(self, request):
        api_root_url = request.build_absolute_uri(reverse("api-root"))
        return Response(
            {
                "endpoints": [describe_endpoint(api_root_url, each) for each in self.endpoints],
                "schema": request.build_absolute_uri(reverse("api-schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
            }
        )


class APIDocs(SpectacularSwaggerView):
    """The schema as a page to read and try (Swagger UI), answered as a page: to GET only
    (DRF's OPTIONS answer has no template to render it with)."""

    http_method_names = ["get", "head"]
    url_name = "api-schema"
