"""Each saved page kept once, as a PageSnapshot, instead of in every history row of its
article: the pages in the articles and their history rows are moved (each distinct one
once, with the time it was first recorded), then the HTML columns go.

Self-contained: the models are the migration's own (apps.get_model), the hash is hashlib's.
"""

import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# Pages stored before this migration were read as UTF-8 with any byte order mark dropped.
BOM = "\ufeff"


def _as_read(html, sha256):
    """The page's text with the byte order mark its file had, if the hash says it had one,
    so that the text encoded as UTF-8 gives the file's bytes back."""
    with_mark = BOM + html
    if hashlib.sha256(with_mark.encode()).hexdigest() == sha256:
        return with_mark
    return html


def move_pages(apps, schema_editor):
    Article = apps.get_model("annotator", "Article")
    HistoricalArticle = apps.get_model("annotator", "HistoricalArticle")
    PageSnapshot = apps.get_model("annotator", "PageSnapshot")
    kept = set(PageSnapshot.objects.values_list("article_id", "sha256"))

    def keep(article_id, sha256, html, when):
        if (article_id, sha256) in kept:
            return
        kept.add((article_id, sha256))
        PageSnapshot.objects.create(
            article_id=article_id,
            sha256=sha256,
            html=_as_read(html, sha256),
            encoding="utf-8",
            imported=when,
        )

    versions = HistoricalArticle.objects.exclude(snapshot_html="").order_by(
        "history_date", "history_id"
    )
    for version in versions.iterator():
        keep(version.id, version.snapshot_sha256, version.snapshot_html, version.history_date)
    # An article's page missing from its history (written around it) is dated now: the
    # earliest time known to have held it.
    now = django.utils.timezone.now()
    for article in Article.objects.exclude(snapshot_html="").iterator():
        keep(article.pk, article.snapshot_sha256, article.snapshot_html, now)


def restore_pages(apps, schema_editor):
    """Back: each article and history row gets the HTML of the page its hash names."""
    PageSnapshot = apps.get_model("annotator", "PageSnapshot")
    for model in ("Article", "HistoricalArticle"):
        rows = apps.get_model("annotator", model).objects.exclude(snapshot_sha256="")
        for page in PageSnapshot.objects.order_by("pk").iterator():
            rows.filter(id=page.article_id, snapshot_sha256=page.sha256).update(
                snapshot_html=page.html.removeprefix(BOM)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0012_suggestion_provenance"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sha256",
                    models.CharField(
                        help_text="SHA-256 of the saved page file's bytes.", max_length=64
                    ),
                ),
                (
                    "html",
                    models.TextField(
                        help_text="The page as text: the file's bytes read in the encoding below."
                    ),
                ),
                (
                    "encoding",
                    models.CharField(
                        help_text="Python's name for the encoding the file was read in; the "
                        "HTML encoded in it gives the file's bytes back.",
                        max_length=40,
                    ),
                ),
                ("imported", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "article",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="page_snapshots",
                        to="annotator.article",
                    ),
                ),
            ],
            options={
                "ordering": ["imported", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "sha256"), name="page_snapshot_once"
                    )
                ],
            },
        ),
        migrations.RunPython(move_pages, restore_pages),
        # The article and its history alike: the HTML goes, the hash's help names its page.
        *(
            migrations.RemoveField(model_name=model, name="snapshot_html")
            for model in ("article", "historicalarticle")
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="snapshot_sha256",
                field=models.CharField(
                    blank=True,
                    help_text="SHA-256 of the saved page file the body was extracted from; the "
                    "page itself is its PageSnapshot.",
                    max_length=64,
                ),
            )
            for model in ("article", "historicalarticle")
        ),
    ]
