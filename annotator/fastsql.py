"""Plain SQL for the hot paths: bulk inserts, and rows read straight from the cursor.

Building a model instance per row, and letting the ORM prepare or convert
every value, costs more than the data itself once there are hundreds of
thousands of rows to write (imports, generated corpora) or read (exports, a
long article's spans).
"""

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
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row[column] for column in columns) for row in rows])


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
