"""A database that cannot take writes answers 503 with a plain message, not a 500."""

import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

MESSAGE = (
    "The database is not accepting changes right now (it is read-only or full). "
    "Nothing was saved; please try again later."
)
# SQLite's primary result codes (the low byte of an extended code).
SQLITE_CANNOT_WRITE = {8: "read-only", 13: "full"}  # SQLITE_READONLY, SQLITE_FULL
# PostgreSQL's SQLSTATEs: a read-only transaction (a standby, or
# default_transaction_read_only) and a full disk.
POSTGRES_CANNOT_WRITE = {"25006": "read-only", "53100": "full"}


def why_database_cannot_write(error: BaseException) -> str | None:
    """Why ``error`` is the driver refusing a write ("read-only" or "full"), else None."""
    if not isinstance(error, DatabaseError):
        return None
    driver_error = error.__cause__
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate is not None:
        return POSTGRES_CANNOT_WRITE.get(sqlstate)
    code = getattr(driver_error, "sqlite_errorcode", None)
    if code is not None:
        return SQLITE_CANNOT_WRITE.get(code & 0xFF)
    return None


class DatabaseUnavailableMiddleware:
    """Turns a refused write in a view into 503: JSON under /api/, a page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        reason = why_database_cannot_write(exception)
        if reason is None:
            return None
        logger.error(
            "The database is %s: %s %s answered 503 (%s)",
            reason,
            request.method,
            request.path,
            exception,
        )
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": MESSAGE}, status=503)
        return render(request, "503.html", {"message": MESSAGE}, status=503)
