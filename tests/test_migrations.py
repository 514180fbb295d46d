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
