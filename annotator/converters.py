"""Path converters: an id in a URL is a number the database's id columns can hold.

A larger number cannot name a stored row, so it does not match the route and
the request is a 404 by URL resolution, before any view or query runs. Importing
this module registers the converter as ``<id:…>``; every URLconf that uses it
imports it, so the routes load in any order.
"""

from django.urls import register_converter

# The largest value of a BigAutoField (a signed 64-bit integer), every table's id here.
DATABASE_ID_MAX = 2**63 - 1


class DatabaseIdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > DATABASE_ID_MAX:
            raise ValueError(f"{value} is beyond the database's id range.")
        return number

    def to_url(self, value):
        return str(value)


register_converter(DatabaseIdConverter, "id")
