"""Who may do what: one place that pages, the API and exports all ask."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from rest_framework import permissions

from .models import REVIEWERS_GROUP, Annotation, Layer


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=REVIEWERS_GROUP).exists()


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
    annotation = get_object_or_404(Annotation.objects.select_related("article", "reviewer"), pk=pk)
    if annotation.reviewer_id == user.pk:
        return annotation
    if annotation.layer == Layer.ADJUDICATED and user.is_staff:
        return annotation  # the adjudicated layer is staff's shared work
    if for_change or not Annotation.objects.visible_to(user).filter(pk=pk).exists():
        raise PermissionDenied("This annotation belongs to another reviewer.")
    return annotation


class CanAnnotate(permissions.BasePermission):
    message = "Only members of the Reviewers group or staff can use the API."

    def has_permission(self, request, view):
        return can_annotate(request.user)
