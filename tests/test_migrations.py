"""Migrations stand on their own: a migration that runs the app's current code
breaks as soon as the models it relies on change."""

import ast
from pathlib import Path

import pytest

MIGRATIONS = sorted((Path(__file__).resolve().parent.parent / "annotator/migrations").glob("0*.py"))


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) >= 5


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.name)
def test_a_migration_imports_nothing_of_the_app(path):
    app_imports = [name for name in imported_modules(path) if name.startswith((".", "annotator"))]
    assert app_imports == []


@pytest.mark.django_db(transaction=True)
def test_the_opening_migration_fills_each_stored_articles_opening_as_the_model_would():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from annotator import text

    before, after = (
        [("annotator", "0009_agreement_counts")],
        [("annotator", "0010_article_opening")],
    )
    bodies = [
        "Short body.",
        " ".join(f"word{n}" for n in range(30)),
        "x" * 200 + " tail",
        "a" * 118 + "e\u0301\u0323" + "z" * 10,
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    source = old.get_model("annotator", "Source").objects.create(name="Old outlet")
    Article = old.get_model("annotator", "Article")
    for number, body in enumerate(bodies):
        Article.objects.create(
            source=source, body=body, body_sha256=f"{number:064d}", word_count=len(body.split())
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("annotator", "Article")
    stored = dict(new.objects.values_list("body", "opening"))
    assert stored == {body: text.opening_words(body) for body in bodies}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_assignments_dealt_before_the_guard_have_suggestions_off_on_agreement_articles():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("annotator", "0011_article_snapshot")],
        [("annotator", "0012_suggestion_provenance")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    source = old.get_model("annotator", "Source").objects.create(name="Old outlet")
    Article = old.get_model("annotator", "Article")
    shared, single = (
        Article.objects.create(source=source, body=body, body_sha256=f"{n:064d}", word_count=2)
        for n, body in enumerate(["Shared body.", "Single body."])
    )
    User = old.get_model(*get_user_model()._meta.label.split("."))
    alice, bob = (User.objects.create(username=name) for name in ("alice", "bob"))
    Assignment = old.get_model("annotator", "Assignment")
    for article, reviewer in ((shared, alice), (shared, bob), (single, alice)):
        Assignment.objects.create(article_id=article.pk, reviewer_id=reviewer.pk)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("annotator", "Assignment")
    stored = set(new.objects.values_list("article_id", "suggestions", "suggestions_decided"))
    assert stored == {(shared.pk, "off", "default"), (single.pk, "on", "default")}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_page_snapshot_migration_keeps_each_distinct_page_once_and_goes_back():
    import hashlib
    from datetime import UTC, datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("annotator", "0012_suggestion_provenance")]
    after = [("annotator", "0013_page_snapshot")]
    first, second = "<p>First copy</p>", "<p>Second copy</p>"
    marked = "\ufeff<p>Saved with a byte order mark</p>"  # stored without it before
    sha = {html: hashlib.sha256(html.encode()).hexdigest() for html in (first, second, marked)}
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    source = old.get_model("annotator", "Source").objects.create(name="Old outlet")
    Article = old.get_model("annotator", "Article")
    History = old.get_model("annotator", "HistoricalArticle")
    rows = {}
    for number, html in enumerate((second, marked)):
        article = Article.objects.create(
            source=source,
            body=f"Body {number}",
            body_sha256=f"{number:064d}",
            word_count=2,
            snapshot_html=html.removeprefix("\ufeff"),
            snapshot_sha256=sha[html],
        )
        rows[html] = article
    # The first article's history: the first page twice, then the second; the third history
    # row is of an article deleted since.
    versions = [(rows[second].pk, first, 9), (rows[second].pk, first, 10)]
    versions += [(rows[second].pk, second, 11), (999, first, 12), (rows[marked].pk, marked, 13)]
    for article_id, html, hour in versions:
        History.objects.create(
            id=article_id,
            source_id=source.pk,
            body="…",
            body_sha256="…",
            word_count=1,
            snapshot_html=html.removeprefix("\ufeff"),
            snapshot_sha256=sha[html],
            history_date=datetime(2026, 12, 7, hour, tzinfo=UTC),
            history_type="~",
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    kept = new.get_model("annotator", "PageSnapshot").objects.order_by("imported")
    assert [(p.article_id, p.html, p.sha256, p.imported.hour) for p in kept] == [
        (rows[second].pk, first, sha[first], 9),
        (rows[second].pk, second, sha[second], 11),
        (999, first, sha[first], 12),
        (rows[marked].pk, marked, sha[marked], 13),
    ]
    # Each page's text, encoded as it was read, gives back the bytes its hash is of.
    assert [hashlib.sha256(p.html.encode(p.encoding)).hexdigest() for p in kept] == [
        p.sha256 for p in kept
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    restored = old.get_model("annotator", "HistoricalArticle").objects.order_by("history_date")
    assert [row.snapshot_html for row in restored] == [
        html.removeprefix("\ufeff") for _id, html, _hour in versions
    ]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
