"""The rules that read suggestions off a spaCy parse, sentence by sentence.

An attribution is a cue (a reporting verb of the lexicon in a frame where it reports,
or "according to") with its source (the cue's subject, or the object of "according
to"); it spans the source and the cue, as PolNeAR's imported attributions do
(``docs/polnear.md``), and the content it reports is a claim linked to it. A sentence
in the author's own voice becomes an opinion when it holds an evaluative, prescriptive
or speculative cue, else a claim when it holds something to check (a number, a date, a
proper noun, a comparison). ``docs/suggestions.md`` says how the lexicon was chosen.
"""

from dataclasses import dataclass, field

from annotator import text

from . import lexicon

QUOTES = text.OPENING_QUOTES + text.CLOSING_QUOTES
COMPLEMENTS = ("ccomp", "xcomp")
COMPARATIVE_TAGS = ("JJR", "JJS", "RBR", "RBS")
FIRST_AND_SECOND = ("i", "we", "you")
SUBORDINATE = ("relcl", "acl", "amod", "xcomp", "pcomp", "csubj", "advcl", "pobj", "compound")
TRIM = " \t\n,;:—–-"


@dataclass
class Found:
    """One suggestion before it is keyed: a span of ``label`` and what the rules guessed."""

    label: str
    start: int
    end: int
    score: float
    attribution: "Found | None" = None  # the attribution a claim reports
    fields: dict = field(default_factory=dict)
    speaker_name: str = ""


def _trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    """``start``–``end`` without the spaces and joining punctuation at either end."""
    while start < end and body[start] in TRIM:
        start += 1
    while end > start and body[end - 1] in TRIM:
        end -= 1
    return start, end


def sentence_suggestions(sentence, body: str, offset: int) -> list:
    """What one parsed sentence suggests; ``offset`` is where its text starts in ``body``."""
    found = []
    for cue in _outermost(_cues(sentence)):
        found += _attribution(cue, body, offset)
    if found:
        return found
    opinion = _opinion(sentence, body, offset)
    if opinion is not None:
        return [opinion]
    claim = _claim(sentence, body, offset)
    return [] if claim is None else [claim]


# ---------------------------------------------------------------- attributions


@dataclass
class Cue:
    tokens: list  # the cue's tokens in order
    lemma: str
    score: float
    source: list  # the source's tokens in order, [] when none
    content: tuple | None  # (start, end) into its paragraph's text, or None


def candidates(sentence):
    """Each word of the sentence that may be a cue: (its head token, its lemma, its frame).
    "according to" is one, its head "according"; so is the colon after a short name that
    opens a line ("Trump: …", a headline's attribution)."""
    quoted = _quoted(sentence)
    for token in sentence:
        if token.lower_ == "according" and token.i + 1 < sentence.end:
            if token.doc[token.i + 1].lower_ == "to":
                yield token, lexicon.ACCORDING_TO, _frame(token, sentence, quoted)
        elif token.text == ":" and _headline_source(token):
            yield token, lexicon.COLON, _frame(token, sentence, quoted)
        elif token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass"):
            yield token, token.lemma_.lower(), _frame(token, sentence, quoted)


def _cues(sentence) -> list:
    cues = []
    for token, lemma, frame in candidates(sentence):
        score = lexicon.cue_score(lemma, frame)
        if score < lexicon.THRESHOLD:
            continue
        if lemma == lexicon.ACCORDING_TO:
            cues.append(_according_to(token, token.doc[token.i + 1], sentence, score))
        elif lemma == lexicon.COLON:
            cues.append(_colon(token, sentence, score))
        else:
            cues.append(
                Cue(
                    tokens=_verb_group(token),
                    lemma=lemma,
                    score=score,
                    source=_source_of(token),
                    content=_content_of(token, sentence),
                )
            )
    return cues


def _outermost(cues: list) -> list:
    """The cues that stand in no other cue's content: PolNeAR gives each word to at most one
    attribution, so what a source is reported to have said another said is not marked."""
    return [
        cue
        for cue in cues
        if not any(
            other is not cue
            and other.content is not None
            and other.content[0] <= cue.tokens[0].idx < other.content[1]
            for other in cues
        )
    ]


def _quoted(sentence) -> set:
    """The indexes of the tokens of the sentence's paragraph that stand inside quotation
    marks (reckoned once per paragraph)."""
    doc = sentence.doc
    if "quoted" not in doc.user_data:
        inside, depth, straight = set(), 0, False
        for token in doc:
            if token.text in ('"', "''", "``"):
                straight = not straight
            elif token.text in text.OPENING_QUOTES:
                depth += 1
            elif token.text in text.CLOSING_QUOTES:
                depth = max(depth - 1, 0)
            elif depth or straight:
                inside.add(token.i)
        doc.user_data["quoted"] = inside
    return doc.user_data["quoted"]


def _frame(cue, sentence, quoted) -> tuple:
    """How a cue stands in its sentence, in the terms the lexicon counts it by: its clause
    (a complement clause, a quotation in the sentence, or neither), its subject (a first
    or second person, none, or another), whether it stands inside a quotation, and whether
    it heads a clause of its own ("main") or modifies a word ("sub": relative clauses,
    participles, infinitives)."""
    if any(child.dep_ in COMPLEMENTS for child in cue.children):
        clause = lexicon.COMPLEMENT
    elif cue.dep_ == "parataxis" or any(char in QUOTES for char in sentence.text):
        clause = lexicon.QUOTATION
    else:
        clause = lexicon.OTHER
    subject = _source_of(cue)
    if not subject:
        person = "none"
    elif subject[0].lower_ in FIRST_AND_SECOND and len(subject) == 1:
        person = "first"
    else:
        person = "third"
    role = "sub" if cue.dep_ in SUBORDINATE else "main"
    return clause, person, "in" if cue.i in quoted else "out", role


def _headline_source(colon) -> bool:
    """Whether a colon follows a short name at the start of its line (at most six words,
    one of them a capitalised noun, no verb) and comes before more words."""
    before = colon.doc[: colon.i]
    return (
        0 < len(before) <= 6
        and colon.i + 1 < len(colon.doc)
        and any(t.pos_ in ("PROPN", "NOUN") and t.text[:1].isupper() for t in before)
        and not any(t.pos_ in ("VERB", "AUX") for t in before)
    )


def _verb_group(verb) -> list:
    """The verb with its negation and particle ("did not deny", "pointed out")."""
    extra = [c for c in verb.children if c.dep_ in ("neg", "prt") and abs(c.i - verb.i) <= 3]
    return sorted([verb, *extra], key=lambda token: token.i)


def _source_of(verb) -> list:
    """The subject's words of ``verb`` (a passive's agent), or its governing verb's."""
    for candidate in (verb, verb.head if verb.dep_ in ("conj", "xcomp", "advcl") else None):
        if candidate is None:
            continue
        for child in candidate.children:
            if child.dep_ == "agent":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return list(objects[0].subtree)
        for child in candidate.children:
            if child.dep_ in ("nsubj", "csubj"):
                return _phrase(child)
    return []


def _phrase(head) -> list:
    """A noun phrase's words, without a relative clause or trailing punctuation."""
    tokens = [t for t in head.subtree if not _inside_clause(t, head)]
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    return tokens


def _inside_clause(token, head) -> bool:
    while token.i != head.i:
        if token.dep_ in ("relcl", "acl") and token.head.i == head.i:
            return True
        token = token.head
    return False


def _content_of(verb, sentence):
    """The words ``verb`` reports: its clause complement, else the sentence's quotation,
    else the clause it interrupts ("…," he said)."""
    for child in verb.children:
        if child.dep_ in COMPLEMENTS:
            return _span_of(list(child.subtree))
    quotation = _quotation(sentence)
    if quotation is not None:
        return quotation
    if verb.dep_ == "parataxis":
        own = set(verb.subtree)
        return _span_of([t for t in verb.head.subtree if t not in own])
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    return _span_of(list(objects[0].subtree)) if objects else None


def _colon(colon, sentence, score) -> Cue:
    return Cue(
        tokens=[colon],
        lemma=lexicon.COLON,
        score=score,
        source=list(colon.doc[: colon.i]),
        content=_span_of(list(colon.doc[colon.i + 1 : sentence.end])),
    )


def _according_to(according, to, sentence, score) -> Cue:
    objects = [c for c in to.children if c.dep_ == "pobj"]
    source = list(objects[0].subtree) if objects else []
    phrase = set(according.subtree) | {according, to, *source}
    rest = [t for t in sentence if t not in phrase]
    return Cue(
        tokens=[according, to],
        lemma=lexicon.ACCORDING_TO,
        score=score,
        source=source,
        content=_longest_run(rest),
    )


def _span_of(tokens):
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _longest_run(tokens):
    """The longest run of consecutive tokens among ``tokens``, as a span."""
    runs, run = [], []
    for token in tokens:
        if run and token.i != run[-1].i + 1:
            runs.append(run)
            run = []
        run.append(token)
    if run:
        runs.append(run)
    return _span_of(max(runs, key=len)) if runs else None


def _quotation(sentence):
    """The longest quotation in the sentence (between quotation marks), as a span."""
    sentence_text, start = sentence.text, sentence.start_char
    spans, opened = [], None
    for at, char in enumerate(sentence_text):
        if char in text.OPENING_QUOTES and opened is None:
            opened = at
        elif char in text.CLOSING_QUOTES and opened is not None:
            spans.append((start + opened, start + at + 1))
            opened = None
    return max(spans, key=lambda span: span[1] - span[0]) if spans else None


def _attribution(cue: Cue, body: str, offset: int) -> list:
    """The attribution over the cue and its source, and the claim of its content linked to
    it when it has one outside the attribution's own words."""
    covered = cue.tokens + cue.source
    start = offset + min(t.idx for t in covered)
    end = offset + max(t.idx + len(t) for t in covered)
    speaker = ""
    if cue.source:
        first, last = cue.source[0], cue.source[-1]
        speaker = " ".join(body[offset + first.idx : offset + last.idx + len(last)].split())
    attribution = Found(
        label="attribution",
        start=start,
        end=end,
        score=cue.score,
        speaker_name=speaker,
        fields={
            "speaker_type": _speaker_type(cue.source),
            "cue_stance": lexicon.stance(cue.lemma),
            "quote_type": "",
        },
    )
    if cue.content is None:
        return [attribution]
    content_start, content_end = _with_quotation_marks(
        body, *_trimmed(body, offset + cue.content[0], offset + cue.content[1])
    )
    if content_end <= content_start or _overlaps(attribution, content_start, content_end):
        return [attribution]
    content = body[content_start:content_end]
    attribution.fields["quote_type"] = text.quote_type(content)
    claim = Found(
        label="claim",
        start=content_start,
        end=content_end,
        score=round(cue.score * 0.9, 3),
        fields=_claim_fields(
            cue.tokens[0].doc.char_span(
                content_start - offset, content_end - offset, alignment_mode="expand"
            )
        ),
        attribution=attribution,
    )
    return [attribution, claim]


def _with_quotation_marks(body: str, start: int, end: int) -> tuple[int, int]:
    """A content that a quotation's marks enclose, with its marks (and the comma or full
    stop inside them): PolNeAR's contents hold them."""
    if start == 0 or body[start - 1] not in text.OPENING_QUOTES:
        return start, end
    after = end
    while after < len(body) and body[after] in text.TRAILING_PUNCTUATION:
        after += 1
    if after < len(body) and body[after] in text.CLOSING_QUOTES:
        return start - 1, after + 1
    return start, end


def _overlaps(span: Found, start: int, end: int) -> bool:
    return span.start < end and start < span.end


def _speaker_type(source: list) -> str:
    """A guess from the source's head word: a name of a person or an organisation, a
    pronoun standing for a person, a plural or indefinite group (vague), else a described
    but unnamed source ("a White House official")."""
    if not source:
        return "none"
    words = {token.i for token in source}
    head = next((t for t in source if t.head.i not in words or t.head.i == t.i), source[0])
    if head.pos_ == "PROPN":
        name = {t.lower_ for t in source if t.pos_ == "PROPN"}
        return "named_organisation" if name & lexicon.ORGANISATION_WORDS else "named_person"
    if head.lower_ in ("he", "she"):
        return "named_person"
    if head.tag_ in ("NNS", "NNPS") or head.lower_ in lexicon.VAGUE_SOURCES:
        return "vague"
    return "unnamed_identified"


# ---------------------------------------------------------------- claims and opinions


def _claim_fields(words) -> dict:
    """A claim's check-worthiness and hedging, from its words (a spaCy span)."""
    hedged = any(token.lower_ in lexicon.HEDGES for token in words)
    return {"check_worthy": bool(_checkable(words)), "hedged": hedged}


def _checkable(sentence) -> list:
    """What in a sentence could be checked: numbers, dates, names, comparisons."""
    return [
        t
        for t in sentence
        if t.like_num
        or t.pos_ == "PROPN"
        or t.tag_ in COMPARATIVE_TAGS
        or t.text in ("%", "$", "€", "£")
        or t.lower_ in lexicon.CALENDAR_WORDS
    ]


def _sentence_span(sentence, body: str, offset: int):
    return _trimmed(body, offset + sentence.start_char, offset + sentence.end_char)


def _opinion(sentence, body: str, offset: int):
    if any(char in QUOTES for char in sentence.text):
        return None
    kind, cues = lexicon.opinion_type(sentence)
    if kind is None:
        return None
    start, end = _sentence_span(sentence, body, offset)
    return Found(
        label="opinion",
        start=start,
        end=end,
        score=min(0.3 + 0.1 * cues, 0.7),
        fields={"opinion_type": kind},
    )


def _claim(sentence, body: str, offset: int):
    checkable = _checkable(sentence)
    if not checkable or any(char in QUOTES for char in sentence.text):
        return None
    start, end = _sentence_span(sentence, body, offset)
    if end - start < 20:
        return None
    return Found(
        label="claim",
        start=start,
        end=end,
        score=min(0.2 + 0.05 * len(checkable), 0.5),
        fields=_claim_fields(sentence),
    )
