"""What a span holds, named once: its columns, its label fields and which label owns each.

Everything that lists a span's fields reads them here: the model's rules and
constraints, the API, the article page and its script, exports and imports,
adjudication, the synthetic corpus and the benchmark's SQL. It is plain data
without Django, so the benchmark's raw baselines read the same list. Adding a
field means adding it here and to the model, with its migration;
``tests/test_span_schema.py`` holds the two together.
"""

from dataclasses import dataclass

# The kinds of value a label field holds, and what it holds when nobody answered.
CHOICE = "choice"  # one word of a fixed set; "" when unanswered
BOOLEAN = "boolean"  # yes or no; null when unanswered
SPEAKER = "speaker"  # a Speaker record of the article's source; null when none
LINK = "link"  # an attribution of the same article, reviewer and layer; null when none
RELATIONS = (SPEAKER, LINK)


@dataclass(frozen=True)
class LabelField:
    name: str
    kind: str
    labels: tuple[str, ...]  # the labels whose spans may carry it

    @property
    def column(self) -> str:
        """The database column (a relation's is its id)."""
        return f"{self.name}_id" if self.kind in RELATIONS else self.name

    @property
    def empty(self):
        return "" if self.kind == CHOICE else None


LABEL_FIELDS = (
    LabelField("speaker", SPEAKER, ("attribution",)),
    LabelField("speaker_type", CHOICE, ("attribution",)),
    LabelField("cue_stance", CHOICE, ("attribution",)),
    LabelField("quote_type", CHOICE, ("attribution",)),
    LabelField("counter_voice", BOOLEAN, ("attribution",)),
    LabelField("check_worthy", BOOLEAN, ("claim",)),
    LabelField("hedged", BOOLEAN, ("claim",)),
    LabelField("opinion_type", CHOICE, ("opinion",)),
    LabelField("attribution", LINK, ("claim", "opinion")),
)
NAMES = tuple(field.name for field in LABEL_FIELDS)
# The fields that are values rather than relations: what an export writes under
# "fields" beside the speaker record, and what a W3C tag or an import row carries.
VALUES = tuple(field for field in LABEL_FIELDS if field.kind not in RELATIONS)
VALUE_NAMES = tuple(field.name for field in VALUES)
CHOICE_NAMES = tuple(field.name for field in LABEL_FIELDS if field.kind == CHOICE)
BOOLEAN_NAMES = tuple(field.name for field in LABEL_FIELDS if field.kind == BOOLEAN)
LINK_NAMES = tuple(field.name for field in LABEL_FIELDS if field.kind == LINK)

# Every span's own fields besides its label fields: where it stands, who made it, when.
PLACE = (
    "id",
    "article",
    "reviewer",
    "layer",
    "label",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "note",
    "created",
    "updated",
    "orphaned",
    "suggested_by",  # "" for a span marked by hand, else the engine ("name/version") accepted
)
PLACE_COLUMNS = tuple(f"{name}_id" if name in ("article", "reviewer") else name for name in PLACE)
# What an export reads of each span: its place, then its label fields' columns.
COLUMNS = (*PLACE_COLUMNS, *(field.column for field in LABEL_FIELDS))


def fields_of(label: str) -> tuple[str, ...]:
    """The names of the fields a span of ``label`` may carry; every other one stays empty."""
    return tuple(field.name for field in LABEL_FIELDS if label in field.labels)
