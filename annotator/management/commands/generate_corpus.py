import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from annotator import fastsql, synthetic, tallies, text
from annotator.management.terminal import Progress, add_quiet_argument
from annotator.models import (
    REVIEWERS_GROUP,
    Affiliation,
    Annotation,
    Article,
    CueStance,
    OpinionType,
    QuoteType,
    Source,
    Speaker,
    SpeakerType,
)

ARTICLE_CHUNK = 250
# The choices, listed once (each .values call builds a new list).
SPEAKER_TYPES, CUE_STANCES = SpeakerType.values, CueStance.values
QUOTE_TYPES, OPINION_TYPES = QuoteType.values, OpinionType.values


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
        with Progress(options["annotations"], "annotation", quiet) as progress:
            run.prepare()
            made = 0
            for chunk_start in range(0, options["articles"], ARTICLE_CHUNK):
                size = min(ARTICLE_CHUNK, options["articles"] - chunk_start)
                written = run.chunk(chunk_start, size)
                made += written
                progress.update(written)
        if not quiet:
            self.stdout.write(
                f"Generated {options['articles']} article(s) from {options['sources']} source(s) "
                f"with {made} annotation(s) by {options['reviewers']} reviewer(s) "
                f"in {progress.seconds:.1f} s."
            )


class Generator:
    def __init__(self, rng, options):
        self.rng = rng
        self.options = options
        self.prefix = f"synthetic-{options['seed']}"
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())

    @transaction.atomic
    def prepare(self):
        options = self.options
        self.sources = Source.objects.bulk_create(
            [Source(name=f"Synthetic outlet {self.prefix}-{n}") for n in range(options["sources"])]
        )
        users = get_user_model().objects
        self.reviewers = [
            users.create_user(username=f"{self.prefix}-reviewer-{n}")
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
        self.per_article = [
            total // articles + (1 if n < total % articles else 0) for n in range(articles)
        ]

    @transaction.atomic
    def chunk(self, first, size):
        rng, options = self.rng, self.options
        articles = []
        for number in range(first, first + size):
            body = text.normalise_text(synthetic.body(rng, number, options["body_chars"]))
            articles.append(
                Article(
                    source=self.sources[number % len(self.sources)],
                    title=f"Synthetic report {number}",
                    seed_file=f"{self.prefix}-{number:07d}",
                    body=body,
                    body_sha256=text.sha256_hex(body),
                    word_count=text.word_count(body),
                )
            )
        Article.objects.bulk_create(articles, batch_size=500)
        attributions, others = [], []
        for offset, article in enumerate(articles):
            reviewers = rng.sample(
                self.reviewers, k=min(len(self.reviewers), 2 if rng.random() < 0.2 else 1)
            )
            for label, start, end in synthetic.spans(
                rng, article.body, self.per_article[first + offset]
            ):
                span = self.span(article, rng.choice(reviewers).pk, label, start, end)
                (attributions if label == "attribution" else others).append(span)
        fastsql.insert(Annotation, attributions)
        # Claims and opinions link to an attribution of the same article and reviewer.
        by_unit = {}
        for pk, article_id, reviewer_id in Annotation.objects.filter(
            article__in=articles, label="attribution"
        ).values_list("pk", "article_id", "reviewer_id"):
            by_unit.setdefault((article_id, reviewer_id), []).append(pk)
        for span in others:
            candidates = by_unit.get((span["article_id"], span["reviewer_id"]))
            if candidates and rng.random() < 0.5:
                span["attribution_id"] = rng.choice(candidates)
        fastsql.insert(Annotation, others)
        # Plain inserts send no signals: compute the precomputed figures here.
        tallies.refresh([article.pk for article in articles], with_agreement=True)
        return len(attributions) + len(others)

    def span(self, article, reviewer_id, label, start, end):
        rng = self.rng
        prefix, suffix = text.context(article.body, start, end)
        values = {
            "article_id": article.pk,
            "reviewer_id": reviewer_id,
            "layer": "raw",
            "label": label,
            "start": start,
            "end": end,
            "quote": article.body[start:end],
            "prefix": prefix,
            "suffix": suffix,
            "note": "",
            "created": self.now,
            "updated": self.now,
            "speaker_id": None,
            "speaker_type": "",
            "cue_stance": "",
            "quote_type": "",
            "counter_voice": None,
            "check_worthy": None,
            "hedged": None,
            "opinion_type": "",
            "attribution_id": None,
            "orphaned": False,
        }
        if label == "attribution":
            values["speaker_type"] = rng.choice(SPEAKER_TYPES)
            if values["speaker_type"] in (
                "named_person",
                "named_organisation",
                "unnamed_identified",
            ):
                values["speaker_id"] = rng.choice(self.speakers).pk
            values["cue_stance"] = rng.choice(CUE_STANCES)
            values["quote_type"] = rng.choice(QUOTE_TYPES)
            values["counter_voice"] = rng.random() < 0.1
        elif label == "claim":
            values["check_worthy"] = rng.random() < 0.6
            values["hedged"] = rng.random() < 0.2
        else:
            values["opinion_type"] = rng.choice(OPINION_TYPES)
        return values
