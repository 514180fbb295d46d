"""Plain SQL for the hot paths: bulk inserts, and rows read straight from the cursor.

Building a model instance per row, and letting the ORM prepare or convert
every value, costs more than the data itself once there are hundreds of
thousands of rows to write (imports, generated corpora) or read (exports, a
long article's spans).
"""

import sqlite3
from itertools import islice
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Replace


def batches(iterable, size):
    """Lists of up to ``size`` items, in order (any iterable, read lazily)."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def insert(model, rows):
    """Insert ``rows`` (dicts of column to value, all with the same keys) into ``model``'s table.

    Values must already be adapted for the database.
    """
    if not rows:
        return
    head, placeholder, values = _insert_parts(model, rows)
    with connection.cursor() as cursor:
        cursor.executemany(head + placeholder, [values(row) for row in rows])


def insert_returning_ids(model, rows):
    """Like :func:`insert`, in multi-row statements; returns the new ids in row order.

    Both SQLite (3.35+) and PostgreSQL return inserted rows in the order given,
    which Django's own bulk_create relies on too.
    """
    if not rows:
        return []
    head, placeholder, values = _insert_parts(model, rows)
    returning = f" RETURNING {connection.ops.quote_name('id')}"
    ids = []
    with connection.cursor() as cursor:
        for chunk in batches(rows, max(1, _parameter_limit() // len(rows[0]))):
            sql = head + ", ".join([placeholder] * len(chunk)) + returning
            cursor.execute(sql, [value for row in chunk for value in values(row)])
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _insert_parts(model, rows):
    """``INSERT INTO table (columns) VALUES ``, one row's placeholder, and a row's values."""
    columns = list(rows[0])
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    return head, placeholder, values


def with_utc_times(lookups, zone, times=("created", "updated")):
    """``lookups`` to select, the ``times`` among them already written as JSON writes them.

    SQLite stores UTC text ("2025-05-28 09:00:00.500000"): turning it into
    "2025-05-28T09:00:00.500000" + ``zone`` in SQL spares parsing it into a
    datetime and formatting it again (a fifth of an export). Other databases
    give aware datetimes, which orjson writes the same way.
    """
    if connection.vendor != "sqlite":
        return list(lookups)
    return [
        Concat(Replace(Cast(lookup, CharField()), Value(" "), Value("T")), Value(zone))
        if lookup in times
        else lookup
        for lookup in lookups
    ]


def rows(queryset):
    """A ``values_list`` queryset's rows as the database driver returns them.

    Django's per-value converters are skipped: times come back as naive UTC
    datetimes on SQLite (booleans are still booleans: Django's SQLite
    connection converts columns declared ``bool`` itself).
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: nothing to ask the database
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch


class Prepared:
    """A query the ORM compiles once per database; each call runs its SQL with new values.

    ``build(**placeholders)`` returns the queryset, given a distinct integer for
    each named value; where those land among the compiled parameters is found
    once, other parameters (constants) are kept. A page that runs the same
    query on every request spares the ORM's compiling, a third of its time.
    """

    def __init__(self, build):
        self.build = build
        self.compiled = {}  # database vendor -> (sql, [(name or None, constant)])

    def rows(self, **values):
        """Every row, as the database driver returns them (see :func:`rows`)."""
        if connection.vendor not in self.compiled:
            placeholders = {name: -(2**40) - index for index, name in enumerate(values)}
            sql, params = self.build(**placeholders).query.sql_with_params()
            names = {number: name for name, number in placeholders.items()}
            slots = [(names.get(param) if type(param) is int else None, param) for param in params]
            self.compiled[connection.vendor] = sql, slots
        sql, slots = self.compiled[connection.vendor]
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[name] if name else constant for name, constant in slots])
            return cursor.fetchall()


def instance(model, fields, row):
    """A ``model`` instance from ``row``, the values of ``fields`` (attribute names, in the
    model's field order) as a :class:`Prepared` query read them; other fields are deferred.

    The driver's values are taken as they come, so ``fields`` must leave out time
    fields (SQLite's driver gives them naive).
    """
    return model.from_db(connection.alias, fields, row)


def _parameter_limit():
    """How many parameters one statement may carry on this database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535
