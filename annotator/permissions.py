"""Who may do what: one place that pages, the API and exports all ask."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import permissions

from .models import REVIEWERS_GROUP, Annotation, Layer

NO_SUCH_ANNOTATION = "No annotation has this id."


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=REVIEWERS_GROUP).exists()


def can_annotate(user) -> bool:
    """Reviewers annotate; staff may too (they also see every reviewer's spans)."""
    return user.is_authenticated and user.is_active and (user.is_staff or is_reviewer(user))


def require_annotator(user):
    if not can_annotate(user):
        raise PermissionDenied(
            "Only members of the Reviewers group or staff can do this: ask an admin to add you "
            "to the group."
        )


# What a reviewer who opens a staff page reads (on the 403 page, or as the API's reason).
STAFF_ONLY = (
    "This page is for staff: it deals work, compares reviewers or adjudicates their spans. "
    "Your own work is on the article list."
)


def require_staff(user):
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied(STAFF_ONLY)


def get_annotation_for_user(user, pk, *, for_change: bool) -> Annotation:
    """The one way to reach an annotation by id, with its article and reviewer.

    A span the user may not see answers exactly as one that does not exist (404),
    so that ids cannot be probed. Staff see every span; only the reviewer who
    made a span changes or deletes it, and any staff member the adjudicated layer.
    """
    try:
        annotation = (
            Annotation.objects.visible_to(user).select_related("article", "reviewer").get(pk=pk)
        )
    except Annotation.DoesNotExist as error:
        raise Http404(NO_SUCH_ANNOTATION) from error
    may_change = annotation.reviewer_id == user.pk or (
        annotation.layer == Layer.ADJUDICATED and user.is_staff
    )
    if for_change and not may_change:
        raise PermissionDenied("This annotation belongs to another reviewer.")
    return annotation


class CanAnnotate(permissions.BasePermission):
    message = "Only members of the Reviewers group or staff can use the API."

    def has_permission(self, request, view):
        return can_annotate(request.user)
