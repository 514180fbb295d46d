import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator.models import REVIEWERS_GROUP

ACCOUNTS = (
    ("admin", {"is_staff": True, "is_superuser": True}),
    ("reviewer1", {}),
    ("reviewer2", {}),
)


class Command(BaseCommand):
    help = (
        "Create the Reviewers group, an admin and two reviewer accounts if they do not "
        "exist, with random passwords kept in a git-ignored credentials file, and print "
        "how to log in. Existing accounts and passwords are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--credentials",
            default=str(settings.BASE_DIR / ".credentials"),
            help="Where the generated passwords are kept (default: .credentials).",
        )

    @transaction.atomic
    def handle(self, *args, credentials, **options):
        path = Path(credentials)
        try:
            known = json.loads(path.read_text()) if path.exists() else {}
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not the JSON this command writes.") from error
        reviewers, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
        reviewers.permissions.set(
            Permission.objects.filter(
                content_type__app_label="annotator",
                codename__in=["add_annotation", "change_annotation", "delete_annotation"],
            )
        )
        users = get_user_model().objects
        created = []
        for username, flags in ACCOUNTS:
            user = users.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = users.create_user(username=username, password=password, **flags)
                known[username] = password
                created.append(username)
            if not flags:
                user.groups.add(reviewers)
        path.write_text(json.dumps(known, indent=2) + "\n")
        path.chmod(0o600)
        if created:
            self.stdout.write("New accounts (passwords shown once, kept in the file below):")
            for username in created:
                self.stdout.write(f"  {username:<10} {known[username]}")
        names = ", ".join(username for username, _flags in ACCOUNTS)
        self.stdout.write(
            f"Log in at http://127.0.0.1:8000/ as one of {names}; the passwords are in {path}."
        )
