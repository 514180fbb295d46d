"""Plain SQL for the hot paths: bulk inserts, and rows read straight from the cursor.

Building a model instance per row, and letting the ORM prepare or convert
every value, costs more than the data itself once there are hundreds of
thousands of rows to write (imports, generated corpora) or read (exports, a
long article's spans).
"""

from operator import itemgetter

from django.db import connection


def insert(model, rows):
    """Insert ``rows`` (dicts of column to value, all with the same keys) into ``model``'s table.

    Values must already be adapted for the database.
    """
    if not rows:
        return
    columns = list(rows[0])
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({quoted}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    with connection.cursor() as cursor:
        cursor.executemany(sql, [values(row) for row in rows])


def rows(queryset):
    """A ``values_list`` queryset's rows as the database driver returns them.

    Django's per-value converters are skipped: booleans may come back as 0/1
    (SQLite) and times as naive UTC datetimes, which callers normalise.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch


def insert_returning_ids(model, rows):
    """Like :func:`insert`, in multi-row statements; returns the new ids in row order.

    Both SQLite (3.35+) and PostgreSQL return inserted rows in the order given,
    which Django's own bulk_create relies on too.
    """
    if not rows:
        return []
    columns = list(rows[0])
    values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    quote = connection.ops.quote_name
    per_statement = max(1, _parameter_limit() // len(columns))
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    ids = []
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            sql = head + ", ".join([placeholder] * len(chunk)) + f" RETURNING {quote('id')}"
            cursor.execute(sql, [value for row in chunk for value in values(row)])
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _parameter_limit():
    """How many parameters one statement may carry on this database."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535
