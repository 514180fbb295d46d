import pytest
from django.core.management import CommandError, call_command

from annotator.models import Article


def test_reimport_skips_articles_already_present(db, tmp_path):
    (tmp_path / "one.txt").write_text(
        "A headline\n\nThe minister said the road opened on Monday in town.\n"
    )
    call_command("import_articles", str(tmp_path), verbosity=0)
    call_command("import_articles", str(tmp_path), verbosity=0)
    assert Article.objects.count() == 1


def test_bodies_are_nfc_with_unix_newlines(db, tmp_path):
    (tmp_path / "two.txt").write_bytes(
        (
            "Cafe\u0301 owners said prices rose by ten percent this year in the city.\r\n"
            "Second line of the report is here and it is long enough.\r\n"
        ).encode()
    )
    call_command("import_articles", str(tmp_path), verbosity=0)
    body = Article.objects.get().body
    assert body.startswith("Caf\u00e9 owners")
    assert "\r" not in body


def test_non_utf8_file_is_refused_with_one_sentence(db, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe not text")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("import_articles", str(tmp_path / "bad.txt"))
    assert not Article.objects.exists()


def test_missing_path_is_refused(db):
    with pytest.raises(CommandError, match="neither a file nor a folder"):
        call_command("import_articles", "/nonexistent/seeds")
