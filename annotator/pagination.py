"""List pages: the API's (limit and offset checked, a page never longer than MAX_PAGE_SIZE)
and the links between the pages' own (``?page=``)."""

from rest_framework import pagination, serializers

from .converters import DATABASE_ID_MAX

MAX_PAGE_SIZE = 1000


class PageQuery(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    # An SQL OFFSET is a signed 64-bit integer, like the ids.
    offset = serializers.IntegerField(required=False, min_value=0, max_value=DATABASE_ID_MAX)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset pages, where a bad ``limit`` or ``offset`` is a 400 naming it."""

    max_limit = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        query = PageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.query = query.validated_data
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        return min(self.query.get("limit", self.default_limit), self.max_limit)

    def get_offset(self, request):
        return self.query.get("offset", 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            field = PageQuery().fields[parameter["name"]]
            parameter["schema"].update(minimum=field.min_value, maximum=field.max_value)
        return parameters


def page_links(request, page):
    """The URLs of a page's previous and next pages (those that exist): this URL's query
    with another ``page``."""
    links = {}
    for name, number in (
        ("previous", page.has_previous() and page.previous_page_number()),
        ("next", page.has_next() and page.next_page_number()),
    ):
        if number:
            query = request.GET.copy()
            query["page"] = number
            links[name] = f"?{query.urlencode()}"
    return links
