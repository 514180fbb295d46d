"""Suggested spans (issue 19): an offline engine proposing attributions, claims and opinions
a reviewer accepts or rejects, and its evaluation against PolNeAR (``docs/suggestions.md``).

:mod:`.engine` is the contract the API and the article page build on; importing any of
this package loads no spaCy (:mod:`.pipeline` loads it on the first suggestion).
"""
