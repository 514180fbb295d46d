"""How errors are answered: with the reason, and always as JSON under /api/.

DRF's handler, plus Django model ValidationErrors and refused request bodies
turned into 400s; Django's error views for what happens outside a DRF view (an
unmatched URL, a body refused by a middleware, a page's bad query, a crash).
"""

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

# Where project/urls.py mounts the API.
API_ROOT = "api/"
# Django refuses these bodies (DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS, _NUMBER_FILES).
REFUSED_BODIES = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class InvalidForm(BadRequest):
    """A page's query or form that does not validate: a 400 page naming each field and why."""

    def __init__(self, form):
        super().__init__(
            " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, REFUSED_BODIES):
        exc = exceptions.ParseError(str(exc))
    return drf_exception_handler(exc, context)


def _is_api(request):
    return request.path_info.startswith(f"/{API_ROOT}")


def _api_error(detail, status):
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception):
    """The reason of a refused body or a BadRequest; other suspicious requests get none."""
    reason = str(exception) if isinstance(exception, (BadRequest, *REFUSED_BODIES)) else ""
    if _is_api(request):
        return _api_error(reason or "Bad request.", 400)
    return render(request, "400.html", {"reason": reason}, status=400)


def page_not_found(request, exception):
    if _is_api(request):
        return _api_error("Not found.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _api_error("Server error.", 500)
    return defaults.server_error(request)
