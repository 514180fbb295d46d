"""Plain parameterised INSERTs for bulk jobs (imports, generated corpora).

Building a model instance per row, and letting the ORM prepare every value,
costs more than the data itself once there are hundreds of thousands of rows.
Callers pass values already adapted for the database.
"""

from django.db import connection


def insert(model, rows):
    """Insert ``rows`` (dicts of column to value, all with the same keys) into ``model``'s table."""
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
