"""Who may do what: one place that pages, the API and exports all ask."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import permissions

from . import fastsql
from .models import REVIEWERS_GROUP, Annotation, Layer

# Asked on every request: compiled once (see fastsql.Prepared).
_IN_REVIEWERS = fastsql.Prepared(
    lambda user: (
        get_user_model()
        .groups.through.objects.filter(user_id=user, group__name=REVIEWERS_GROUP)
        .values_list("pk")[:1]
    )
)


def is_reviewer(user) -> bool:
    return user.is_authenticated and bool(_IN_REVIEWERS.rows(user=user.pk))


def can_annotate(user) -> bool:
    """Reviewers annotate; staff may too (they also see every reviewer's spans)."""
    return user.is_authenticated and user.is_active and (user.is_staff or is_reviewer(user))


def require_annotator(user):
    if not can_annotate(user):
        raise PermissionDenied("Only members of the Reviewers group or staff can do this.")


def get_annotation_for_user(user, pk, *, for_change: bool) -> Annotation:
    """The one way to reach an annotation by id: 404 if unknown, 403 if not yours.

    Staff may read every reviewer's spans; only the reviewer who made a span
    changes or deletes it, and any staff member the adjudicated layer.
    """
    annotation = _span_with_article_and_reviewer(pk)
    if annotation.reviewer_id == user.pk:
        return annotation
    if annotation.layer == Layer.ADJUDICATED and user.is_staff:
        return annotation  # the adjudicated layer is staff's shared work
    if for_change or not Annotation.objects.visible_to(user).filter(pk=pk).exists():
        raise PermissionDenied("This annotation belongs to another reviewer.")
    return annotation


# Every change or delete of a span reads it this way first: compiled once.
_SPAN = fastsql.Prepared(
    lambda pk: Annotation.objects.filter(pk=pk).values_list(
        *fastsql.joined(Annotation, "article", "reviewer")
    )
)


def _span_with_article_and_reviewer(pk):
    found = _SPAN.rows(pk=pk)
    if not found:
        raise Http404("No annotation has this id.")
    return fastsql.with_related(Annotation, ["article", "reviewer"], found[0])


class CanAnnotate(permissions.BasePermission):
    message = "Only members of the Reviewers group or staff can use the API."

    def has_permission(self, request, view):
        return can_annotate(request.user)
