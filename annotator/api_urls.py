from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import (
    api,
    converters,  # noqa: F401  (registers <id:…>)
)


def open_to_api_auth(view_class, **initkwargs):
    """DRF answers for itself (session or token), so the login redirect must not."""
    return login_not_required(view_class.as_view(**initkwargs))


# What GET /api/ lists.
endpoints = [
    path("articles/", open_to_api_auth(api.ArticleList), name="api-article-list"),
    path("articles/<id:pk>/", open_to_api_auth(api.ArticleDetail), name="api-article-detail"),
    path(
        "articles/<id:pk>/annotations/",
        open_to_api_auth(api.ArticleAnnotations),
        name="api-article-annotations",
    ),
    path(
        "articles/<id:pk>/suggestions/",
        open_to_api_auth(api.ArticleSuggestions),
        name="api-article-suggestions",
    ),
    path("annotations/<id:pk>/", open_to_api_auth(api.AnnotationDetail), name="api-annotation"),
    path(
        "annotations/<id:pk>/restore/",
        open_to_api_auth(api.AnnotationRestore),
        name="api-annotation-restore",
    ),
    path("sources/", open_to_api_auth(api.SourceList), name="api-source-list"),
    path(
        "sources/<id:pk>/summary/", open_to_api_auth(api.SourceSummary), name="api-source-summary"
    ),
    path("speakers/", open_to_api_auth(api.SpeakerList), name="api-speaker-list"),
    path("export/", open_to_api_auth(api.Export), name="api-export"),
]

urlpatterns = [
    path("", open_to_api_auth(api.APIRoot, endpoints=endpoints), name="api-root"),
    *endpoints,
    path("schema/", open_to_api_auth(SpectacularAPIView), name="api-schema"),
    # A page for people: an anonymous visitor is sent to log in first, not answered 401.
    path("docs/", login_required(api.APIDocs.as_view()), name="api-docs"),
]
