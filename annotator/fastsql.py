"""What pages, the API, models and figures still run by hand: compiled queries, instances
built from rows, and single-row updates and deletes.

Kept only until those callers read and write through the ORM (issue 15); bulk
jobs use :mod:`annotator.bulksql`, whose helpers are also named here for the
callers that have not moved yet.
"""

from datetime import UTC
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField

from .bulksql import batches, copy_history, insert, insert_returning_ids, rows, with_utc_times

__all__ = [
    "Prepared",
    "attnames",
    "batches",
    "copy_history",
    "delete",
    "insert",
    "insert_returning_ids",
    "instance",
    "joined",
    "rows",
    "update",
    "with_related",
    "with_utc_times",
]


def update(model, row, **columns):
    """Set the columns of ``row`` (adapted values) on ``model``'s rows whose columns equal
    these values (see :func:`delete`); returns how many rows it changed."""
    sql = _update_sql(connection.vendor, model, tuple(row), _shape(columns))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*row.values(), *_given(columns)])
        return cursor.rowcount


@cache
def _update_sql(vendor, model, assigned, where):
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in assigned)
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {_where(where)}"


def delete(model, **columns):
    """Delete ``model``'s rows whose columns equal these values (None: the column is NULL)."""
    with connection.cursor() as cursor:
        cursor.execute(_delete_sql(connection.vendor, model, _shape(columns)), _given(columns))


@cache
def _delete_sql(vendor, model, where):
    return f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {_where(where)}"


def _shape(columns):
    """The condition's shape: each column, and whether it is compared with NULL."""
    return tuple((column, value is None) for column, value in columns.items())


def _given(columns):
    return [value for value in columns.values() if value is not None]


def _where(shape):
    quote = connection.ops.quote_name
    return " AND ".join(
        f"{quote(column)} IS NULL" if null else f"{quote(column)} = %s" for column, null in shape
    )


class Prepared:
    """A query the ORM compiles once per database; each call runs its SQL with new values.

    ``build(**placeholders)`` returns the queryset, given a distinct integer
    (within every integer field's range, which Django checks) or, for a value
    given as a string, a distinct string, for each named value; where those land
    among the compiled parameters is found once, other parameters (constants)
    are kept. A page that runs the same query on every request spares the ORM's
    compiling, a third of its time.
    """

    def __init__(self, build):
        self.build = build
        # database vendor -> (sql, [(name, the type the ORM gave it) or (None, constant)])
        self.compiled = {}

    def rows(self, **values):
        """Every row, as the database driver returns them (see :func:`rows`)."""
        if connection.vendor not in self.compiled:
            self.compiled[connection.vendor] = self._compile(values)
        sql, slots = self.compiled[connection.vendor]
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind(values[name]) if name else kind for name, kind in slots])
            return cursor.fetchall()

    def _compile(self, values):
        placeholders = {
            name: f"\0{name}\0" if isinstance(value, str) else 2**31 - 1 - index
            for index, (name, value) in enumerate(values.items())
        }
        sql, params = self.build(**placeholders).query.sql_with_params()
        names = {(type(mark), mark): name for name, mark in placeholders.items()}
        slots = []
        for param in params:
            # PostgreSQL's integer fields wrap their values (psycopg's Int4): keep the wrapper.
            plain = str if isinstance(param, str) else int
            name = None
            if isinstance(param, plain) and not isinstance(param, bool):
                name = names.get((plain, plain(param)))
            slots.append((name, type(param)) if name else (None, param))
        return sql, slots


@cache
def attnames(model):
    """The attribute names of ``model``'s columns, in field order."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def joined(model, *relations):
    """Lookups reading ``model``'s columns, then those of each forward relation's model
    in turn: the ``values_list`` whose rows :func:`with_related` reads."""
    lookups = list(attnames(model))
    for relation in relations:
        related = model._meta.get_field(relation).related_model
        lookups += [f"{relation}__{name}" for name in attnames(related)]
    return lookups


def with_related(model, relations, row):
    """The ``model`` instance of a row read by :func:`joined`, each of ``relations`` set
    to its own instance (so reading it runs no query)."""
    names = attnames(model)
    result, offset = instance(model, names, row[: len(names)]), len(names)
    for relation in relations:
        related = model._meta.get_field(relation).related_model
        names = attnames(related)
        setattr(result, relation, instance(related, names, row[offset : offset + len(names)]))
        offset += len(names)
    return result


def instance(model, fields, row):
    """A ``model`` instance from ``row``, the values of ``fields`` (attribute names, in the
    model's field order) as a :class:`Prepared` query read them; other fields are deferred.

    SQLite's driver gives times naive, in UTC: they are made aware, as the ORM does.
    """
    times = _naive_times(connection.vendor, model, tuple(fields))
    if times:
        row = list(row)
        for index in times:
            if row[index] is not None:
                row[index] = row[index].replace(tzinfo=UTC)
    return model.from_db(connection.alias, fields, row)


@cache
def _naive_times(vendor, model, fields):
    if vendor != "sqlite" or not settings.USE_TZ:
        return ()
    return tuple(
        index
        for index, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), DateTimeField)
    )
