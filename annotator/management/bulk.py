"""What long bulk commands share."""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Python's cycle collector paused for the block (or the decorated call), then
    restored as it was.

    A bulk command builds millions of objects that stay alive until it ends
    and form no cycles; the collector, triggered by every few hundred new
    containers, would walk the growing heap again and again: a quarter of an
    import of 1,000,000 spans. Reference counting still frees everything else.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
