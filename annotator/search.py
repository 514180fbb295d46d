"""Case-insensitive search in any script: "RÉGION" finds "région" on every database.

Django's ``icontains`` leaves it to the database, and SQLite's LIKE folds ASCII
letters only. A word with other letters is matched against :class:`Folded`
text instead: PostgreSQL's LOWER() (which follows the database's UTF-8 locale),
or on SQLite Python's ``str.casefold``, registered on every SQLite connection
as ``casefold`` (:func:`register_sqlite_casefold`).
"""

from django.db import models
from django.db.models import Q
from django.db.models.lookups import Contains


class Folded(models.Func):
    """A text column folded to one case for comparing (see the module's docstring)."""

    function = "LOWER"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sqlite(compiler, connection, function="casefold", **extra)


def containing(word: str, fields) -> Q:
    """Rows where one of ``fields`` holds ``word``, whatever its case."""
    if word.isascii():  # every database's LIKE folds ASCII letters
        matches = [Q(**{f"{field}__icontains": word}) for field in fields]
    else:
        matches = [Q(Contains(Folded(field), word.casefold())) for field in fields]
    found = Q()
    for match in matches:
        found |= match
    return found


def register_sqlite_casefold(sender, connection, **kwargs):
    """``connection_created`` receiver: SQLite's connections get ``casefold(text)``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value):
    return None if value is None else value.casefold()
