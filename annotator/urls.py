from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "annotator"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="annotator:article-list"), name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/annotations/add/", views.annotation_add, name="annotation-add"),
    path("articles/<int:pk>/done/", views.article_done, name="article-done"),
    path("annotations/<int:pk>/delete/", views.annotation_delete, name="annotation-delete"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("guidelines/", views.guidelines, name="guidelines"),
]
