import multiprocessing
import random
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from annotator import bulksql, span_schema, synthetic
from annotator.management.terminal import Progress, add_quiet_argument
from annotator.models import (
    REVIEWERS_GROUP,
    Affiliation,
    Annotation,
    Article,
    ArticleAgreement,
    Source,
    Speaker,
    UnitFigures,
)

ARTICLE_CHUNK = 250
DRAWERS = 2
AHEAD = DRAWERS + 1  # chunks drawn or being drawn while one is written


class Command(BaseCommand):
    help = (
        "Fill the database with a seeded synthetic corpus for benchmarks: outlets, reviewers, "
        "speakers, ~5,000-character articles and valid annotations of every label and field, "
        "with links, written through bulk inserts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sources", type=int, default=20)
        parser.add_argument("--articles", type=int, default=200)
        parser.add_argument("--annotations", type=int, default=10000)
        parser.add_argument("--reviewers", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--body-chars", type=int, default=5000, help="Approximate length of each body."
        )
        add_quiet_argument(parser)

    def handle(self, *args, quiet, **options):
        counts = {k: options[k] for k in ("sources", "articles", "reviewers")}
        if min(counts.values()) < 1 or options["annotations"] < 0:
            raise CommandError("Sources, articles and reviewers must be at least 1.")
        rng = random.Random(options["seed"])
        run = Generator(rng, options)
        chunks = [
            (first, min(ARTICLE_CHUNK, options["articles"] - first))
            for first in range(0, options["articles"], ARTICLE_CHUNK)
        ]
        # One transaction: a run that fails leaves the database as it was.
        with (
            Progress(options["annotations"], "annotation", quiet) as progress,
            bulksql.rollback_journal(),
            transaction.atomic(),
        ):
            world = run.prepare()
            # Other processes draw the next chunks while this one writes: drawing is
            # pure Python, writing mostly SQLite, and the writer waited for one drawer.
            with (
                spans_indexed_at_the_end(),
                ProcessPoolExecutor(
                    max_workers=DRAWERS,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=synthetic.start_drawer,
                    initargs=(world,),
                ) as drawers,
            ):
                made, upcoming = 0, iter(chunks)
                drawing = deque(
                    drawers.submit(synthetic.draw_chunk, *chunk)
                    for chunk in islice(upcoming, AHEAD)
                )
                while drawing:
                    drawn = drawing.popleft().result()
                    if chunk := next(upcoming, None):
                        drawing.append(drawers.submit(synthetic.draw_chunk, *chunk))
                    written = run.write(drawn)
                    made += written
                    progress.update(written)
        if not quiet:
            self.stdout.write(
                f"Generated {options['articles']} article(s) from {options['sources']} source(s) "
                f"with {made} annotation(s) by {options['reviewers']} reviewer(s) "
                f"in {progress.seconds:.1f} s."
            )


def spans_indexed_at_the_end():
    """Into an empty span table, spans are inserted unindexed and indexed once at the end."""
    if Annotation.objects.exists():
        return nullcontext()
    return bulksql.indexes_built_afterwards(Annotation)


class Generator:
    def __init__(self, rng, options):
        self.rng = rng
        self.options = options
        self.prefix = f"synthetic-{options['seed']}"

    def prepare(self):
        options = self.options
        self.sources = Source.objects.bulk_create(
            [Source(name=f"Synthetic outlet {self.prefix}-{n}") for n in range(options["sources"])]
        )
        users = get_user_model().objects
        # Numbers padded, so names sort as the ids do: agreement orients each pair of coders
        # by name, and the drawers (which know ids) by id.
        width = len(str(options["reviewers"] - 1))
        self.reviewers = [
            users.create_user(username=f"{self.prefix}-reviewer-{n:0{width}}")
            for n in range(options["reviewers"])
        ]
        group = Group.objects.get_or_create(name=REVIEWERS_GROUP)[0]
        group.user_set.add(*self.reviewers)
        self.speakers = Speaker.objects.bulk_create(
            [
                Speaker(
                    name=f"Speaker {self.prefix}-{n}",
                    aliases=[f"Spkr {n}"],
                    affiliation=self.rng.choice(Affiliation.values),
                )
                for n in range(200)
            ]
        )
        total, articles = options["annotations"], options["articles"]
        return {
            "sources": [source.pk for source in self.sources],
            "reviewers": [reviewer.pk for reviewer in self.reviewers],
            "speakers": [speaker.pk for speaker in self.speakers],
            "affiliations": {speaker.pk: speaker.affiliation for speaker in self.speakers},
            "choices": {
                name: [value for value, _ in Annotation._meta.get_field(name).choices]
                for name in span_schema.CHOICE_NAMES
            },
            "per_article": [
                total // articles + (1 if n < total % articles else 0) for n in range(articles)
            ],
            "body_chars": options["body_chars"],
            "prefix": self.prefix,
            "seed": options["seed"],
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        }

    def write(self, drawn):
        """Insert a chunk the drawer made, with the precomputed figures it computed."""
        articles, attributions, others, links, units, agreements = drawn
        stored = bulksql.insert_returning_ids(Article, articles)
        for span in (*attributions, *others):
            span["article_id"] = stored[span["article_id"]]
        ids = bulksql.insert_returning_ids(Annotation, attributions)
        for span, link in zip(others, links, strict=True):
            span["attribution_id"] = None if link is None else ids[link]
        bulksql.insert(Annotation, others)
        # Plain inserts send no signals: the drawer computed what tallies would.
        bulksql.insert(
            UnitFigures,
            [
                {
                    "article_id": stored[unit.article_id],
                    "reviewer_id": unit.annotator,
                    "figures": as_json(unit.stored()),
                }
                for unit in units
            ],
        )
        bulksql.insert(
            ArticleAgreement,
            [
                {"article_id": stored[index], "figures": as_json(figures)}
                for index, figures in agreements.items()
            ],
        )
        return len(attributions) + len(others)


def as_json(value):
    """``value`` as the database takes a JSON field's value."""
    return connection.ops.adapt_json_value(value, None)
