from django.urls import path
from django.views.generic import RedirectView

from . import (
    converters,  # noqa: F401  (registers <id:…>)
    source_views,
    staff_views,
    study_views,
    views,
)

app_name = "annotator"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="annotator:article-list"), name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<id:pk>/", views.article_detail, name="article-detail"),
    path("articles/<id:pk>/annotations/add/", views.annotation_add, name="annotation-add"),
    path("articles/<id:pk>/annotations/delete/", views.annotation_delete, name="annotation-delete"),
    path("articles/<id:pk>/done/", views.article_done, name="article-done"),
    path("articles/<id:pk>/review/", views.article_review, name="article-review"),
    path("articles/<id:pk>/adjudicate/", staff_views.adjudicate, name="adjudicate"),
    path("sources/", source_views.source_list, name="source-list"),
    path("sources/table.<str:fmt>", source_views.source_table, name="source-table"),
    path("sources/<id:pk>/", source_views.source_detail, name="source-detail"),
    path(
        "sources/<id:pk>/evidence/<str:metric>/",
        source_views.source_evidence,
        name="source-evidence",
    ),
    path("agreement/", source_views.agreement, name="agreement"),
    path("queue/", staff_views.queue, name="queue"),
    path("study.zip", study_views.study_download, name="study-download"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("guidelines/figures/", views.metrics_help, name="metrics-help"),
    path("favicon.ico", views.favicon, name="favicon"),
]
