"""Raw SQL for bulk jobs only: corpus generation, imports and export streaming.

These jobs write or read hundreds of thousands of rows in one go, where a model
instance per row, and the ORM preparing and converting every value, cost more
than the data itself. Requests never come here: pages, the API, models and
figures read and write through the ORM. Each statement here is tested against
the queryset or model write it stands in for (``tests/test_bulksql.py``), on
SQLite and PostgreSQL.
"""

import sqlite3
from collections import namedtuple
from contextlib import closing, contextmanager
from functools import cache
from itertools import islice
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Replace
from psycopg.types.datetime import TimestamptzLoader


def batches(iterable, size):
    """Lists of up to ``size`` items, in order (any iterable, read lazily)."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def insert(model, rows):
    """Insert ``rows`` (dicts of column to value, all with the same keys) into ``model``'s table.

    Values must already be adapted for the database. PostgreSQL takes them in
    one ``COPY``; SQLite in one ``executemany``.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model, rows)
        return
    head, placeholder, values = _insert_parts(model, rows)
    with connection.cursor() as cursor:
        cursor.executemany(head + placeholder, [values(row) for row in rows])


def insert_returning_ids(model, rows):
    """Like :func:`insert`; returns the new ids in row order.

    PostgreSQL: the ids are drawn from the table's sequence first, then the rows
    go in one ``COPY`` with them. Its multi-row ``INSERT`` would spend longer in
    the driver, turning each of a statement's thousands of placeholders into
    its own numbered one, than the server spends storing the rows.

    SQLite (3.35+): multi-row statements with ``RETURNING``, which give the ids
    in the order of the rows, as Django's own bulk_create relies on. They go to
    the driver's own cursor in its own placeholders: Django rewrites every
    "%s" of a statement it is given, slow for statements of thousands of
    values. Statements hold a power of two of rows (see :func:`_chunks`).
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids = _new_ids(model, len(rows))
        _copy(model, rows, ids)
        return ids
    head, placeholder, values = _insert_parts(model, rows)
    placeholder = placeholder.replace("%s", "?")
    returning = f" RETURNING {connection.ops.quote_name('id')}"
    ids = []
    with connection.wrap_database_errors, _driver_cursor() as cursor:
        for chunk in _chunks(rows, _parameter_limit() // len(rows[0])):
            sql = head + ", ".join([placeholder] * len(chunk)) + returning
            cursor.execute(sql, [value for row in chunk for value in values(row)])
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


@contextmanager
def meanwhile():
    """PostgreSQL: statements run in the block are sent without waiting for their results,
    which are awaited when it ends, so that Python work in the block (reading the next
    part of a file) runs while the server carries them out. SQLite, in process, runs
    them as they come.

    A failed statement raises its error by the end of the block (in it, if the server
    answered before a later statement was sent). A statement in the block can read no
    result, and COPY cannot run in it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.connection.pipeline(),
    ):
        yield


def check_deferred_keys():
    """PostgreSQL: check now the foreign keys of every row written so far in the
    transaction, which it would check at the commit, and defer those of later rows again.

    (SQLite checks its deferred keys at the commit, in one pass.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _new_ids(model, count):
    """PostgreSQL: ``count`` ids taken from the sequence of ``model``'s id column.

    The sequence is looked up once, in a subquery: named in ``nextval`` itself,
    it was looked up for every id, which took eight times as long as drawing them.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass))) "
            "FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return cursor.fetchone()[0]


def _copy(model, rows, ids=None):
    """PostgreSQL: ``rows`` (with ``ids``, when given) into ``model``'s table in one COPY."""
    columns = tuple(rows[0])
    values = _values_of(columns)
    quote = connection.ops.quote_name
    listed = ", ".join(map(quote, (model._meta.pk.column, *columns) if ids else columns))
    sql = f"COPY {quote(model._meta.db_table)} ({listed}) FROM STDIN (FORMAT BINARY)"
    types = _column_types(model, listed)
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        # Each value's type given once, not looked up for every value of every row.
        copy.set_types(types)
        if ids:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *values(row)))
        else:
            for row in rows:
                copy.write_row(values(row))


def _column_types(model, listed):
    """PostgreSQL: the type oids of the ``listed`` (quoted) columns of ``model``'s table."""
    key = (model._meta.db_table, listed)
    if key not in _COLUMN_TYPES:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {listed} FROM {connection.ops.quote_name(model._meta.db_table)} LIMIT 0"
            )
            _COLUMN_TYPES[key] = [column.type_code for column in cursor.description]
    return _COLUMN_TYPES[key]


_COLUMN_TYPES = {}


MOST_ROWS = 1024  # rows in one multi-row statement


def _chunks(rows, fitting):
    """``rows`` in chunks of a power of two of rows, each at most :data:`MOST_ROWS` and
    ``fitting``: as many of the largest as there are, then the rest in halving sizes.

    SQLite's driver keeps each statement it prepared, by its text: with a few
    sizes of statement, it prepares each once however many rows an import
    writes, where a statement of any length (a batch's own) would keep
    megabytes for every batch.
    """
    size = 1 << (max(1, min(MOST_ROWS, fitting)).bit_length() - 1)
    start = 0
    while start < len(rows):
        while start + size > len(rows) and size > 1:
            size //= 2
        yield rows[start : start + size]
        start += size


def _driver_cursor():
    """SQLite's own cursor, closed on leaving."""
    connection.ensure_connection()
    return closing(connection.connection.cursor())


@contextmanager
def indexes_built_afterwards(model):
    """Inside a transaction: ``model``'s secondary indexes dropped while the block runs and
    built again, each from all its rows at once, when it ends.

    For filling an empty table: keeping six indexes current row by row cost a
    fifth of inserting a million rows. Unique indexes stay (they check each
    row). DDL is transactional on SQLite and PostgreSQL, so an error in the
    block rolls the drop back with everything else.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Indexes may only be dropped inside a transaction.")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_SECONDARY_INDEXES[connection.vendor], [table])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    if connection.vendor == "postgresql":
        # It builds no index on a table with deferred checks pending: run them now.
        connection.check_constraints()
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)


@contextmanager
def rollback_journal():
    """On SQLite outside a transaction: the database in rollback-journal mode while the
    block runs, back in its own mode (WAL) when it ends. Otherwise nothing.

    For filling a database in one transaction: in WAL mode every page is
    written twice, to the log and then into the database; a rollback journal
    copies only the pages that existed before. Readers of the same database
    wait while the block writes. If another connection has the database open,
    SQLite keeps WAL mode and the block runs in it.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        [(mode,)] = cursor.execute("PRAGMA journal_mode").fetchall()
        cursor.execute("PRAGMA journal_mode=DELETE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA journal_mode={mode}")


# The name and creating statement of each index that is neither unique nor a primary key.
_SECONDARY_INDEXES = {
    "sqlite": "SELECT list.name, master.sql FROM pragma_index_list(%s) AS list "
    "JOIN sqlite_master AS master ON master.name = list.name WHERE NOT list.[unique]",
    "postgresql": "SELECT class.relname, pg_get_indexdef(ind.indexrelid) FROM pg_index AS ind "
    "JOIN pg_class AS class ON class.oid = ind.indexrelid "
    "WHERE ind.indrelid = %s::regclass AND NOT ind.indisunique AND NOT ind.indisprimary",
}


def _insert_parts(model, rows):
    """``INSERT INTO table (columns) VALUES ``, one row's placeholder, and a row's values."""
    columns = tuple(rows[0])
    head, placeholder = _insert_sql(connection.vendor, model, columns)
    return head, placeholder, _values_of(columns)


def _values_of(columns):
    """A function giving a row's values of ``columns``, in their order, as a tuple."""
    return itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))


# The statements below are built once per database and shape: quoting the names of
# a span's twenty columns took longer than running a one-row statement.


@cache
def _insert_sql(vendor, model, columns):
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    return head, f"({', '.join(['%s'] * len(columns))})"


HISTORY_BATCH = 900  # ids per statement on SQLite, under its parameter limit


def copy_history(model, ids, history_type, user_id, stamp):
    """django-simple-history's rows for these rows of ``model`` as they stand now, copied
    inside the database (INSERT ... SELECT): ``history_type`` "+" created, "~" changed,
    "-" about to be deleted; ``stamp`` the adapted time, ``user_id`` who (or None).

    PostgreSQL is given every id as one array; SQLite a placeholder each, in batches.
    """
    if history_type not in ("+", "~", "-"):
        raise ValueError(f"Unknown history type {history_type!r}.")
    ids = list(ids)
    if not ids:
        return
    if connection.vendor == "postgresql":
        statements = [(None, [ids])]  # (ids in the statement, None: one array; its values)
    else:
        statements = [(len(chunk), chunk) for chunk in batches(ids, HISTORY_BATCH)]
    who = [] if user_id is None else [user_id]
    with connection.cursor() as cursor:
        for count, values in statements:
            sql = _history_sql(connection.vendor, model, history_type, user_id is None, count)
            cursor.execute(sql, [stamp, *who, *values])


@cache
def _history_sql(vendor, model, history_type, nobody, count):
    """The statement for ``count`` ids (None: one array of them)."""
    # The type and an absent user are written in the statement: PostgreSQL cannot tell
    # the type of a bare parameter in a SELECT list.
    quote = connection.ops.quote_name
    listed = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    history = ("history_date", "history_change_reason", "history_type", "history_user_id")
    among = "= ANY(%s)" if count is None else f"IN ({', '.join(['%s'] * count)})"
    return (
        f"INSERT INTO {quote(model.history.model._meta.db_table)} "
        f"({listed}, {', '.join(quote(column) for column in history)}) "
        f"SELECT {listed}, %s, NULL, '{history_type}', {'NULL' if nobody else '%s'} "
        f"FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} {among}"
    )


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
    connection converts columns declared ``bool`` itself). On PostgreSQL they
    are read by psycopg's own loader, written in C, rather than Django's
    subclass of it in Python, which spent longer on an export's two times per
    span than everything else: both give the same aware times, in the
    connection's time zone (UTC).
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: nothing to ask the database
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch


def _parameter_limit():
    """How many parameters one statement may carry on this database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


class ScratchIndex:
    """Rows by a text key in a private SQLite database on disk, gone once closed.

    For a bulk job's bookkeeping that outgrows memory: an import of a million
    spans remembers every span's id and what a link to it needs this way, in
    a few megabytes of memory instead of hundreds. ``columns`` name the values
    kept with each key (the first row added for a key stays); ``indexed``
    those that :meth:`present` searches.
    """

    CHUNK = 500  # values in one statement, under every SQLite's parameter limit

    def __init__(self, columns, indexed=()):
        self.entry = namedtuple("Entry", columns)
        self.database = sqlite3.connect("")  # "": a temporary database, on disk
        self.database.execute(f"CREATE TABLE entry (key TEXT PRIMARY KEY, {', '.join(columns)})")
        for column in indexed:
            self.database.execute(f"CREATE INDEX entry_{column} ON entry ({column})")
        self.insert = f"INSERT OR IGNORE INTO entry VALUES (?{', ?' * len(columns)})"

    def add(self, rows):
        """Keep ``rows``: (key, *values) tuples."""
        self.database.executemany(self.insert, rows)

    def get(self, keys):
        """The entries of those of ``keys`` that were added, by key."""
        found = {}
        for chunk in batches(keys, self.CHUNK):
            marks = ", ".join("?" * len(chunk))
            for key, *values in self.database.execute(
                f"SELECT * FROM entry WHERE key IN ({marks})", chunk
            ):
                found[key] = self.entry(*values)
        return found

    def set(self, keys, column, value):
        """Set ``column`` to ``value`` in the entries of ``keys``."""
        for chunk in batches(keys, self.CHUNK):
            marks = ", ".join("?" * len(chunk))
            self.database.execute(
                f"UPDATE entry SET {column} = ? WHERE key IN ({marks})", [value, *chunk]
            )

    def present(self, column, values):
        """Those of ``values`` that some entry holds in ``column`` (an indexed one)."""
        found = set()
        for chunk in batches(values, self.CHUNK):
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT DISTINCT {column} FROM entry WHERE {column} IN ({marks})"
            found.update(value for (value,) in self.database.execute(query, chunk))
        return found

    def close(self):
        self.database.close()
