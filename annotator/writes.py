"""A reviewer's single span writes (create, change, delete), each in one short transaction.

The rows written are those that ``Model.save()`` / ``delete()`` and
django-simple-history's signals write for the same change (the span, its
history row with who and when, its unit's figures), with plain statements
instead; claims and opinions whose link the change breaks are unlinked through
the model (``Annotation.release_linked_spans()``). On SQLite a write
transaction holds the database's one write lock from start to end: with several
reviewers saving at once, that is the queue they wait in, so it is kept short
(docs/benchmarks.md has the measurements).

Pages and the API write single spans here; admin, adjudication and bulk jobs
go through the ORM, whose signals (:mod:`annotator.profiles.storage`, history) do the same.
"""

from django.db import connection, models, transaction
from django.utils import timezone

from . import fastsql
from .models import Annotation
from .profiles import storage as tallies

COLUMNS = [field for field in Annotation._meta.concrete_fields if not field.primary_key]
# Foreign keys to a span that its deletion sets to NULL (on_delete=SET_NULL), but for
# links to an attribution: Annotation.release_linked_spans() clears those, with history.
NULLED_BY_DELETE = [
    relation.field.column
    for relation in Annotation._meta.related_objects
    if relation.related_model is Annotation
    and relation.on_delete is models.SET_NULL
    and relation.field.name != "attribution"
]


def save(annotation, user) -> list[int]:
    """Store a new or changed span (already checked), its history row and its unit's figures.

    Returns the ids of the claims and opinions unlinked because a changed span is
    no longer an attribution. Raises ``Annotation.DoesNotExist`` when a changed
    span was deleted meanwhile, and ``IntegrityError`` when the database refuses it.
    """
    now = timezone.now()
    annotation.updated = now
    row = {
        field.column: field.get_db_prep_save(getattr(annotation, field.attname), connection)
        for field in COLUMNS
    }
    adding = annotation._state.adding
    with transaction.atomic():
        if adding:
            [annotation.pk] = fastsql.insert_returning_ids(Annotation, [row])
        elif not fastsql.update(Annotation, row, id=annotation.pk):
            raise Annotation.DoesNotExist("This annotation was deleted meanwhile.")
        fastsql.copy_history(Annotation, [annotation.pk], "+" if adding else "~", user.pk, _at(now))
        unlinked = [] if adding else annotation.release_linked_spans(user)
        tallies.span_written(annotation)
    annotation._state.adding = False
    annotation._state.db = connection.alias
    return unlinked


def delete(annotation, user) -> list[int]:
    """Delete a span: its last history row ("-"), links to it set to NULL, its unit recomputed.

    Returns the ids of the claims and opinions that were linked to it.
    """
    with transaction.atomic():
        unlinked = annotation.release_linked_spans(user, deleting=True)
        fastsql.copy_history(Annotation, [annotation.pk], "-", user.pk, _at(timezone.now()))
        for column in NULLED_BY_DELETE:
            fastsql.update(Annotation, {column: None}, **{column: annotation.pk})
        fastsql.delete(Annotation, id=annotation.pk)
        tallies.span_written(annotation)
    return unlinked


def _at(moment):
    return connection.ops.adapt_datetimefield_value(moment)
