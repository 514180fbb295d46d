"""Conditions for check constraints that the database evaluates cheaply on every row."""

from functools import reduce
from operator import or_

from django.db.models import Q


def one_of(field: str, values) -> Q:
    """``field`` equals one of ``values``: the same rows ``Q(field__in=values)`` admits.

    Written as ORed equalities because SQLite builds a lookup table for an
    ``IN`` list each time it checks a row: on a bulk insert of spans the four
    choice checks took longer than storing the rows themselves.
    """
    return reduce(or_, (Q(**{field: value}) for value in values))
