"""Progress on a terminal for long commands; silence when piped or asked to be quiet."""

import sys
import time

from tqdm import tqdm


class Progress:
    """A tqdm bar on standard error when it is a terminal, nothing otherwise."""

    def __init__(self, total, unit, quiet):
        self.started = time.monotonic()
        self.bar = None
        if not quiet and sys.stderr.isatty():
            self.bar = tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def update(self, count):
        if self.bar is not None:
            self.bar.update(count)

    def close(self):
        if self.bar is not None:
            self.bar.close()

    @property
    def seconds(self):
        return time.monotonic() - self.started

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def add_quiet_argument(parser):
    parser.add_argument("--quiet", action="store_true", help="No progress bar and no summary line.")
