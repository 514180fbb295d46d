"""The API's JSON request bodies: nesting beyond MAX_JSON_DEPTH is a 400, not a crash."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request body of this API nests deeper than two levels (a speaker's aliases).
MAX_JSON_DEPTH = 20
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."


def depth(value) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a scalar), without recursion."""
    deepest = 0
    pending = [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            level += 1
            pending.extend((child, level) for child in item)
        deepest = max(deepest, level)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if depth(data) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
