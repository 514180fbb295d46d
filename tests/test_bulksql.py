"""Each statement of annotator.bulksql does what the ORM does in its place.

Run on SQLite and PostgreSQL (``scripts/with-postgres.sh``). The index and
journal switches are also tested through corpus generation
(``tests/test_generate_corpus.py``).
"""

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotator import bulksql
from annotator.exporting import SPAN_COLUMNS
from annotator.models import Annotation, Speaker

from .conftest import make_article

pytestmark = pytest.mark.django_db
BODY = "Officials said the bridge will open in May. It is a crucial link. " * 40
# Every column of a span that the database stores, but its id.
COLUMNS = [field.attname for field in Annotation._meta.concrete_fields if field.attname != "id"]
# Those bulk_create stores as given: it sets ``updated`` (auto_now) to the time of the call.
GIVEN = [name for name in COLUMNS if name != "updated"]
ROWS = 150  # more than one statement's worth (see more_rows_than_a_statement_holds)


def span_rows(article, reviewer, count, speaker=None):
    """``count`` distinct spans of ``article`` as column values, every field set to something."""
    moment = datetime(2025, 5, 28, 9, 0, 0, 500000, tzinfo=UTC)
    rows = []
    for index in range(count):
        start = index % (len(article.body) - 20)
        end = start + 1 + index // (len(article.body) - 20)
        rows.append(
            {
                "article_id": article.pk,
                "reviewer_id": reviewer.pk,
                "layer": "raw",
                "label": "attribution" if index % 2 else "claim",
                "start": start,
                "end": end,
                "quote": article.body[start:end],
                "prefix": "before",
                "suffix": "after",
                "note": f"note {index} ünïcode",
                "created": moment + timedelta(seconds=index),
                "updated": moment + timedelta(seconds=index, microseconds=1),
                "speaker_type": "named_person" if index % 2 else "",
                "cue_stance": "neutral" if index % 2 else "",
                "quote_type": "",
                "counter_voice": bool(index % 3) if index % 2 else None,
                "check_worthy": None if index % 2 else bool(index % 4),
                "hedged": None,
                "opinion_type": "",
                "speaker_id": speaker.pk if speaker and index % 2 else None,
                "attribution_id": None,
                "orphaned": False,
                "suggested_by": "rules/1.0" if index % 5 == 0 else "",
                "adjudicated_from_id": None,
            }
        )
    return rows


def adapted(row):
    """A row's values as the bulk helpers take them: already adapted for the database."""
    return {
        name: connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime)
        else value
        for name, value in row.items()
    }


def stored(columns=GIVEN):
    """Every stored span's ``columns``, in id order."""
    return [tuple(row) for row in Annotation.objects.order_by("pk").values_list(*columns)]


@pytest.fixture
def setting(alice):
    article = make_article(body=BODY)
    speaker = Speaker.objects.create(name="A minister", affiliation="government_named")
    return article, alice, speaker


@pytest.fixture
def more_rows_than_a_statement_holds(monkeypatch):
    """Statements of at most 64 rows: ROWS go in chunks of several sizes."""
    monkeypatch.setattr(bulksql, "MOST_ROWS", 64)


def test_a_multi_row_insert_stores_what_bulk_create_stores_and_returns_its_ids(
    setting, more_rows_than_a_statement_holds
):
    article, reviewer, speaker = setting
    rows = span_rows(article, reviewer, ROWS, speaker)
    assert set(rows[0]) == set(COLUMNS)
    ids = bulksql.insert_returning_ids(Annotation, [adapted(row) for row in rows])
    assert len(ids) == len(set(ids)) == ROWS
    # The ids come back in row order: each id's row is the row given in its place.
    given = dict(zip(ids, (tuple(row[name] for name in COLUMNS) for row in rows), strict=True))
    assert stored(COLUMNS) == [given[pk] for pk in sorted(ids)]
    ours = stored()
    Annotation.objects.all().delete()
    created = Annotation.objects.bulk_create(Annotation(**row) for row in rows)
    assert stored() == ours
    assert [span.pk for span in created] == sorted(span.pk for span in created)


def test_an_empty_insert_writes_nothing(setting):
    assert bulksql.insert_returning_ids(Annotation, []) == []
    bulksql.insert(Annotation, [])
    assert not Annotation.objects.exists()


def test_an_executemany_insert_stores_what_bulk_create_stores(setting):
    article, reviewer, speaker = setting
    rows = span_rows(article, reviewer, 300, speaker)
    bulksql.insert(Annotation, [adapted(row) for row in rows])
    ours = stored()
    Annotation.objects.all().delete()
    Annotation.objects.bulk_create(Annotation(**row) for row in rows)
    assert stored() == ours


@pytest.mark.parametrize("size", [1, 3, 1024, 1025, 3000])
def test_statements_hold_a_power_of_two_of_rows_and_every_row_once(size):
    chunks = list(bulksql._chunks(list(range(size)), 10_000))
    assert [row for chunk in chunks for row in chunk] == list(range(size))
    assert all(len(chunk) & (len(chunk) - 1) == 0 for chunk in chunks)
    assert max(map(len, chunks)) <= bulksql.MOST_ROWS
    assert max(len(chunk) for chunk in bulksql._chunks(list(range(50)), 7)) == 4


# ---------------------------------------------------------------- history


def history_rows(annotation_ids):
    """Each history row of these spans: its type, user and the span's columns, oldest first."""
    records = Annotation.history.filter(id__in=annotation_ids).order_by("history_id")
    return [
        (record["history_type"], record["history_user_id"], *(record[c] for c in COLUMNS))
        for record in records.values("history_type", "history_user_id", *COLUMNS)
    ]


@pytest.mark.parametrize("user", [True, False], ids=["by a user", "by nobody"])
def test_copied_history_rows_are_those_simple_history_writes(setting, user):
    article, reviewer, speaker = setting
    who = reviewer if user else None
    # Through the ORM: save() and delete(), history written by simple-history's receivers.
    span = Annotation(article=article, reviewer=reviewer, label="attribution", start=0, end=14)
    span.anchor()
    span._history_user = who
    span.save()
    span.note, span.speaker = "changed", speaker
    span.save()
    span.delete()
    orm = history_rows(Annotation.history.values_list("id", flat=True))
    assert [row[:2] for row in orm] == [(kind, who and who.pk) for kind in "+~-"]
    # By hand: the same rows written without signals, each history row copied in the database.
    created, changed = (dict(zip(COLUMNS, row[2:], strict=True)) for row in orm[:2])
    [pk] = bulksql.insert_returning_ids(Annotation, [adapted(created)])
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    bulksql.copy_history(Annotation, [pk], "+", who and who.pk, stamp)
    Annotation.objects.filter(pk=pk).update(**changed)
    bulksql.copy_history(Annotation, [pk], "~", who and who.pk, stamp)
    bulksql.copy_history(Annotation, [pk], "-", who and who.pk, stamp)
    assert history_rows([pk]) == orm
    assert set(Annotation.history.filter(id=pk).values_list("history_date", flat=True)) == {now}


def test_history_is_copied_in_batches_and_refuses_unknown_types(setting, monkeypatch):
    article, reviewer, _ = setting
    monkeypatch.setattr(bulksql, "HISTORY_BATCH", 7)
    ids = bulksql.insert_returning_ids(
        Annotation, [adapted(row) for row in span_rows(article, reviewer, 20)]
    )
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    bulksql.copy_history(Annotation, ids, "+", None, stamp)
    assert sorted(Annotation.history.values_list("id", flat=True)) == sorted(ids)
    with pytest.raises(ValueError, match="Unknown history type"):
        bulksql.copy_history(Annotation, ids, "?", None, stamp)


def test_history_copied_meanwhile_is_stored_when_the_block_ends(setting):
    article, reviewer, _ = setting
    ids = bulksql.insert_returning_ids(
        Annotation, [adapted(row) for row in span_rows(article, reviewer, 30)]
    )
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with bulksql.meanwhile():
        bulksql.copy_history(Annotation, ids, "+", None, stamp)
        bulksql.check_deferred_keys()
        read_meanwhile = sum(range(1000))  # Python work while the server copies
    assert read_meanwhile == 499500
    assert sorted(Annotation.history.values_list("id", flat=True)) == sorted(ids)
    # Statements after the block run as usual.
    bulksql.copy_history(Annotation, ids[:1], "~", None, stamp)
    assert Annotation.history.filter(history_type="~").count() == 1


def dangling_span(article, reviewer):
    """A span whose speaker is no stored speaker, written without the ORM's checks."""
    attribution = span_rows(article, reviewer, 2)[1]
    bulksql.insert(Annotation, [adapted({**attribution, "speaker_id": 10**9})])


@pytest.mark.parametrize("sent", ["as they come", "meanwhile"])
def test_deferred_keys_are_checked_when_asked(setting, sent):
    """PostgreSQL refuses a key to nothing when asked to check (in a :func:`bulksql.meanwhile`
    block, by its end), with Django's error; SQLite checks only at the commit."""
    article, reviewer, _ = setting
    block = bulksql.meanwhile if sent == "meanwhile" else nullcontext
    with transaction.atomic():
        dangling_span(article, reviewer)
        if connection.vendor == "postgresql":
            with pytest.raises(IntegrityError), transaction.atomic(), block():
                bulksql.check_deferred_keys()
        else:
            with block():
                bulksql.check_deferred_keys()
            assert Annotation.objects.filter(speaker_id=10**9).exists()
        transaction.set_rollback(True)


# ---------------------------------------------------------------- reading


def test_streamed_rows_are_values_list_rows_with_times_in_utc(setting):
    article, reviewer, speaker = setting
    bulksql.insert(
        Annotation, [adapted(row) for row in span_rows(article, reviewer, 2500, speaker)]
    )
    spans = Annotation.objects.order_by("pk").values_list(*SPAN_COLUMNS)
    streamed = list(bulksql.rows(spans))
    made_aware = [
        tuple(
            value.replace(tzinfo=UTC)
            if isinstance(value, datetime) and value.tzinfo is None
            else value
            for value in row
        )
        for row in streamed
    ]
    assert made_aware == list(spans)
    assert list(bulksql.rows(spans.filter(pk__in=[]))) == []


@pytest.mark.parametrize("zone", ["+00:00", "Z"])
def test_times_written_in_sql_are_those_orjson_writes(setting, zone):
    article, reviewer, _ = setting
    rows = span_rows(article, reviewer, 3)
    rows[0]["created"] = rows[0]["created"].replace(microsecond=0)  # no fraction at all
    bulksql.insert(Annotation, [adapted(row) for row in rows])
    lookups = ["id", "created", "label", "updated"]
    spans = Annotation.objects.order_by("pk")
    ours = list(bulksql.rows(spans.values_list(*bulksql.with_utc_times(lookups, zone))))

    def written(value):
        text = orjson.dumps(value, option=orjson.OPT_NAIVE_UTC).decode()
        return text.replace("+00:00", zone)

    assert [[written(value) for value in row] for row in ours] == [
        [written(value) for value in row] for row in spans.values_list(*lookups)
    ]
    assert [row[2] for row in ours] == [row["label"] for row in rows]


# ---------------------------------------------------------------- indexes and journal


def test_rows_written_without_indexes_are_found_through_them_afterwards(setting):
    article, reviewer, _ = setting
    rows = span_rows(article, reviewer, 400)

    def through_the_indexes():
        """Queries each secondary index serves: by article, reviewer and text order."""
        spans = Annotation.objects.filter(article=article, reviewer=reviewer, start__lt=50)
        return list(spans.order_by("start", "-end", "label").values_list(*GIVEN))

    with bulksql.indexes_built_afterwards(Annotation):
        bulksql.insert(Annotation, [adapted(row) for row in rows])
    ours = through_the_indexes()
    if connection.vendor == "sqlite":  # every index holds exactly the table's rows
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    Annotation.objects.all().delete()
    Annotation.objects.bulk_create(Annotation(**row) for row in rows)
    assert ours == through_the_indexes()
    assert len(ours) == sum(1 for row in rows if row["start"] < 50)


@pytest.mark.django_db(transaction=True)
def test_the_rollback_journal_keeps_what_is_written_and_the_mode(alice):
    def mode():
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            return cursor.fetchone()[0]

    before = mode()
    with bulksql.rollback_journal(), transaction.atomic():
        article = make_article(body=BODY)
        bulksql.insert(Annotation, [adapted(row) for row in span_rows(article, alice, 10)])
    assert mode() == before
    assert Annotation.objects.count() == 10
    with transaction.atomic(), bulksql.rollback_journal():  # inside a transaction: nothing
        assert mode() == before


# ---------------------------------------------------------------- scratch index


def test_a_scratch_index_answers_as_a_dictionary_would():
    index = bulksql.ScratchIndex(("number", "name"), indexed=("number",))
    model = {}
    rows = [(f"key {n % 700}", n, f"name {n}") for n in range(1000)]
    index.add(rows)
    for key, number, name in rows:
        model.setdefault(key, (number, name))  # the first row for a key stays
    asked = [f"key {n}" for n in range(0, 900, 3)]
    assert {key: tuple(entry) for key, entry in index.get(asked).items()} == {
        key: model[key] for key in asked if key in model
    }
    index.set(["key 1", "key 2", "absent"], "name", "renamed")
    assert index.get(["key 1"])["key 1"].name == "renamed"
    assert index.present("number", [5, 699, 700, 5000]) == {5, 699}
    index.close()
