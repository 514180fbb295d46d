"""Per-source profiles: how reviewers' spans become the figures pages and the API show.

A *unit* is one annotator's work on one article: a reviewer's raw spans, or
the article's adjudicated layer. A span reaches a figure in four steps:

1. **Stored** (:mod:`.storage`). ``Annotation.save()`` and ``delete()`` run in a
   transaction; the ``post_save``/``post_delete`` receiver in :mod:`.storage`
   recomputes the span's unit inside that same transaction
   (:func:`.storage.refresh_unit`): it locks the article, reads the unit's spans
   grouped into :class:`.maths.SpanFacts`, tallies them (:func:`.maths.tally`)
   and replaces the unit's ``UnitFigures`` row, and forgets the article's stored
   agreement. A failure rolls the span write back with it. Bulk jobs (imports,
   generated corpora, speaker merges, body changes) run inside
   :func:`.storage.batched`, which recomputes each touched article once at the
   end of its transaction. That is the only way figures are kept.
2. **Counted** (:mod:`.maths`). Each figure counts a set of spans defined once,
   in :data:`.maths.COUNTED`, by the values of span fields (a label, linked or
   not, a speaker type...); a unit's figure is arithmetic on those counts.
3. **Read** (:mod:`.reading`). :func:`.reading.source_profiles` reads the stored
   units, page reviews, adjudications and agreement of the sources asked for,
   with the same six queries for one source or all of them, and
   :func:`.maths.summarise` averages them: an article's value is its
   adjudicated unit where staff marked that layer complete, else the mean over
   its reviewers' units; a source's value is the mean over its articles. Agreement
   (:mod:`.agreement`) forgotten by a write is computed and stored when next read.
4. **Shown** (:mod:`.presentation`, :mod:`.evidence`). The API's JSON, the
   sources table (page, CSV, JSON) and the charts; each figure links to its
   evidence, the spans it counts, selected by a ``Q`` built from the same
   definitions the figure's value uses.

``docs/metrics.md`` gives every formula.
"""
