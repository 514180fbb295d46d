"""generate_corpus: seeded synthetic data that satisfies every invariant of real data."""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from annotator import bulksql, synthetic
from annotator.management.commands import generate_corpus
from annotator.models import Annotation, Article, Source

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_generated_spans_are_valid_and_cover_every_label_and_link():
    call_command(
        "generate_corpus",
        sources=3,
        articles=12,
        annotations=600,
        reviewers=3,
        body_chars=1500,
        quiet=True,
    )
    assert Article.objects.count() == 12
    spans = list(Annotation.objects.select_related("article", "attribution", "speaker"))
    assert len(spans) == 600
    assert {s.label for s in spans} == {"claim", "opinion", "attribution"}
    assert any(s.attribution_id for s in spans) and any(s.speaker_id for s in spans)
    for span in spans:
        assert span.article.body[span.start : span.end] == span.quote
        span.clean()  # raises on any broken invariant


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_corpus", articles=0, quiet=True)


def secondary_indexes():
    with connection.cursor() as cursor:
        cursor.execute(bulksql._SECONDARY_INDEXES[connection.vendor], [Annotation._meta.db_table])
        return sorted(cursor.fetchall())


def test_a_run_that_fails_midway_leaves_nothing_behind(monkeypatch):
    indexes = secondary_indexes()
    assert len(indexes) >= 5  # the foreign keys' and the span order's
    written = []
    write = generate_corpus.Generator.write

    def write_one_chunk_then_fail(self, drawn):
        if written:
            raise RuntimeError("disk full")
        written.append(write(self, drawn))
        return written[-1]

    monkeypatch.setattr(generate_corpus.Generator, "write", write_one_chunk_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("generate_corpus", articles=600, annotations=1200, quiet=True)
    assert written == [500]  # the first chunk's 250 articles were stored, then undone
    assert not Source.objects.exists() and not Article.objects.exists()
    assert not Annotation.objects.exists()
    assert secondary_indexes() == indexes


def test_indexes_are_dropped_inside_the_block_and_built_again_after_it():
    indexes = secondary_indexes()
    with bulksql.indexes_built_afterwards(Annotation):
        assert secondary_indexes() == []
    assert secondary_indexes() == indexes
    with (
        pytest.raises(ValueError),
        transaction.atomic(),
        bulksql.indexes_built_afterwards(Annotation),
    ):
        raise ValueError("stop")
    assert secondary_indexes() == indexes


@pytest.mark.django_db(transaction=True)
def test_indexes_are_only_dropped_inside_a_transaction():
    with (
        pytest.raises(RuntimeError, match="inside a transaction"),
        bulksql.indexes_built_afterwards(Annotation),
    ):
        pass


WORLD = {
    "sources": [1, 2],
    "reviewers": [1, 2, 3],
    "speakers": [1, 2],
    "affiliations": {1: "government_named", 2: "civil_society"},
    "choices": {
        "speaker_type": ["named_person", "vague"],
        "cue_stance": ["neutral", "distancing"],
        "quote_type": ["direct", "indirect"],
        "opinion_type": ["evaluative"],
    },
    "per_article": [30] * 20,
    "body_chars": 1200,
    "prefix": "test",
    "now": "2026-12-01 00:00:00",
    "seed": 7,
}


def test_a_chunk_is_the_same_whichever_drawer_draws_it_and_when():
    first = synthetic.Drawer(WORLD).chunk(10, 5)
    other = synthetic.Drawer(WORLD)
    other.chunk(0, 10)  # another chunk drawn first by the same drawer
    assert other.chunk(10, 5) == first
    assert synthetic.Drawer({**WORLD, "seed": 8}).chunk(10, 5) != first


def test_picks_cover_every_option_evenly():
    draw = random.Random(3).random
    options = ("a", "b", "c", "d", "e")
    picks = [synthetic.pick(draw, options) for _ in range(50_000)]
    assert {option: picks.count(option) for option in options} == pytest.approx(
        dict.fromkeys(options, 10_000), rel=0.05
    )


def test_word_starts_are_the_first_character_of_each_word():
    assert synthetic.word_starts("One two  three\n\nfour") == [0, 4, 9]
    assert synthetic.word_starts(" lead") == [1]
    assert synthetic.word_starts("") == []


def test_a_file_database_is_filled_in_a_rollback_journal_and_left_in_wal(tmp_path):
    database = tmp_path / "corpus.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "project.settings.test",
    }

    def manage(*arguments):
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *arguments],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "-v0")
    check = (
        "from django.db import connection\n"
        "from annotator import bulksql\n"
        "mode = lambda: connection.cursor().execute('PRAGMA journal_mode').fetchone()[0]\n"
        "with bulksql.rollback_journal():\n"
        "    print(mode())\n"
        "print(mode())\n"
    )
    assert manage("shell", "-v0", "-c", check).split() == ["delete", "wal"]
    manage("generate_corpus", "--quiet", "--articles=300", "--annotations=900")
    report = (
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "for pragma in ('journal_mode', 'integrity_check', 'foreign_key_check'):\n"
        "    print(pragma, [row[0] for row in cursor.execute(f'PRAGMA {pragma}').fetchall()])\n"
        "print(cursor.execute('SELECT count(*) FROM annotator_annotation').fetchone()[0])\n"
    )
    assert manage("shell", "-v0", "-c", report).splitlines() == [
        "journal_mode ['wal']",
        "integrity_check ['ok']",
        "foreign_key_check []",
        "900",
    ]
