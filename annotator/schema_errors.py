"""The API's error answers in its OpenAPI schema (a drf-spectacular postprocessing hook).

Every operation may answer 401 and 403 (authentication and CanAnnotate), 400
when it reads a query or a body, 415 when it reads a body sent in a media type it
does not parse, 404 when its path names an id, and 429 when it writes or asks for
suggestions (the throttles of ``throttling.py``); the body
is JSON: ``{"detail": reason}`` or, for a refused field, the field's messages.
"""

ERROR_BODY = {
    "description": "The reason: {'detail': ...}, or each refused field with its messages.",
    "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
}


THROTTLED_READS = ("/suggestions/",)


def error_responses(operation, path, method):
    statuses = ["401", "403"]
    parameters = operation.get("parameters", [])
    if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
        statuses.append("400")
    if "requestBody" in operation:
        statuses.append("415")
    if "{" in path:
        statuses.append("404")
    if method.upper() not in ("GET", "HEAD", "OPTIONS") or path.endswith(THROTTLED_READS):
        statuses.append("429")
    return statuses


def document_errors(result, generator, request, public):
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            for status in error_responses(operation, path, method):
                operation["responses"].setdefault(status, ERROR_BODY)
    return result
