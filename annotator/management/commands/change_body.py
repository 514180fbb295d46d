from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator import text
from annotator.management.users import add_user_argument, named_user
from annotator.models import Article


class Command(BaseCommand):
    help = (
        "Replace an annotated article's body with the text of FILE. Every annotation is "
        "re-anchored by its quote and context; those that cannot be placed are flagged as "
        "orphaned (shown to staff, excluded from profiles and exports), never dropped."
    )

    def add_arguments(self, parser):
        parser.add_argument("article", type=int, help="The article's id.")
        parser.add_argument("file", help="A UTF-8 text file holding the new body.")
        parser.add_argument("--dry-run", action="store_true", help="Report; change nothing.")
        add_user_argument(parser, "the article and its re-anchored spans")

    def handle(self, *args, article, file, dry_run, user, **options):
        user = named_user(user, "the article was not changed.")
        try:
            stored = Article.objects.get(pk=article)
        except Article.DoesNotExist as error:
            raise CommandError(f"There is no article with id {article}.") from error
        try:
            body = text.normalise_text(Path(file).read_text(encoding="utf-8")).strip()
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text ({error.reason}).") from error
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        if not body:
            raise CommandError(f"{file} holds no text; an article needs a body.")
        clash = Article.objects.filter(body_sha256=text.sha256_hex(body)).exclude(pk=stored.pk)
        if clash.exists():
            raise CommandError(f"Article {clash.get().pk} already has exactly this body.")

        with transaction.atomic():
            kept, moved, orphaned = stored.replace_body(body, user)
            if dry_run:
                transaction.set_rollback(True)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"Article {stored.pk}: {kept} annotation(s) {verb} kept in place, {moved} re-anchored, "
            f"{orphaned} orphaned."
        )
