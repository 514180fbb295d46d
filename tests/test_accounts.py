import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotator.permissions import is_reviewer

pytestmark = pytest.mark.django_db


def test_creates_admin_and_two_reviewers_with_working_random_passwords(tmp_path):
    credentials = tmp_path / "credentials"
    call_command("ensure_accounts", credentials=str(credentials), verbosity=0)
    passwords = json.loads(credentials.read_text())
    assert sorted(passwords) == ["admin", "reviewer1", "reviewer2"]
    assert len(set(passwords.values())) == 3
    for username, password in passwords.items():
        assert get_user_model().objects.get(username=username).check_password(password)
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert is_reviewer(users.get(username="reviewer1"))
    assert is_reviewer(users.get(username="reviewer2"))
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"


def test_running_again_keeps_accounts_and_passwords(tmp_path, capsys):
    credentials = tmp_path / "credentials"
    call_command("ensure_accounts", credentials=str(credentials))
    first = json.loads(credentials.read_text())
    call_command("ensure_accounts", credentials=str(credentials))
    assert json.loads(credentials.read_text()) == first
    assert get_user_model().objects.count() == 3
    second_output = capsys.readouterr().out.split("Log in at")[-1]
    assert first["admin"] not in second_output
    assert get_user_model().objects.get(username="admin").check_password(first["admin"])


def test_load_seed_articles_leaves_an_existing_database_alone(capsys):
    from annotator.models import Article

    call_command("load_seed_articles")
    Article.objects.filter(seed_file__startswith="001").update(title="Edited by an admin")
    call_command("load_seed_articles")
    assert Article.objects.count() == 5
    assert Article.objects.filter(title="Edited by an admin").exists()
