"""The raw baselines' database connection: plain sqlite3 or psycopg, no Django.

Both take the same SQL, written with ``%s`` placeholders (sqlite3 is given ``?``).
"""

import sqlite3
from urllib.parse import urlsplit, urlunsplit

import psycopg


def column_list(columns):
    """Column names for SQL, each quoted ("end" is a keyword)."""
    return ", ".join(f'"{column}"' for column in columns)


def is_sqlite(url):
    return url.startswith("sqlite:")


def sqlite_path(url):
    """The file of a ``sqlite:///path`` URL (four slashes for an absolute path)."""
    return urlsplit(url).path[1:]


def with_database(url, name):
    """The same PostgreSQL server's URL for the database ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url):
    return urlsplit(url).path[1:]


def analysed(url):
    """On PostgreSQL, the planner's statistics of a database just filled, as autovacuum would
    gather them within a minute."""
    if not is_sqlite(url):
        database = Raw(url)
        database.execute("ANALYZE")
        database.commit()
        database.close()


class Raw:
    """One connection; ``execute`` returns a cursor to iterate or fetch from."""

    def __init__(self, url):
        self.sqlite = is_sqlite(url)
        if self.sqlite:
            self.connection = sqlite3.connect(sqlite_path(url))
        else:
            # UTC, as Django's own connection sets it: times read back as the product reads them.
            self.connection = psycopg.connect(url, options="-c TimeZone=UTC")

    def sql(self, statement):
        return statement.replace("%s", "?") if self.sqlite else statement

    def execute(self, statement, params=()):
        return self.connection.execute(self.sql(statement), params)

    def executemany(self, statement, rows):
        self.connection.cursor().executemany(self.sql(statement), rows)

    def insert(self, table, columns, rows):
        """Rows into ``table`` the fastest plain way: one ``COPY`` on PostgreSQL, one
        ``executemany`` of an ``INSERT`` on SQLite."""
        if self.sqlite:
            marks = ", ".join(["%s"] * len(columns))
            self.executemany(f"INSERT INTO {table} ({column_list(columns)}) VALUES ({marks})", rows)
            return
        cursor = self.connection.cursor()
        with cursor.copy(f"COPY {table} ({column_list(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def stream(self, statement):
        """Rows of a large result without holding them all (PostgreSQL: a server-side cursor)."""
        if self.sqlite:
            return self.connection.execute(statement)
        cursor = self.connection.cursor(name="stream")
        cursor.itersize = 5000
        cursor.execute(statement)
        return cursor

    def count(self, table):
        return self.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def commit(self):
        self.connection.commit()

    def close(self):
        self.connection.close()
