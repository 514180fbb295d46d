"""Clocks for the benchmark: calls timed in this process, commands timed in their own."""

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def p95(durations):
    ordered = sorted(durations)
    return ordered[int(0.95 * len(ordered))]


def durations_of(call, repeat):
    """Seconds of each of ``repeat`` calls, back to back."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return durations


def median_of(call, repeat=1):
    return statistics.median(durations_of(call, repeat))


def paired(product, raw, rounds, block=10):
    """Seconds of every call of ``product`` and of ``raw``: ``rounds`` blocks of ``block``
    calls each, the two sides' blocks in turn.

    Blocks in turn keep a noisy machine's slow spells from landing on one side
    of the ratio; calls within a block run back to back, so each side is timed
    warm, as a server serving the same page again would run it.
    """
    product_times, raw_times = [], []
    for _ in range(rounds):
        product_times += durations_of(product, block)
        raw_times += durations_of(raw, block)
    return product_times, raw_times


# A small wrapper starts the command, so the peak it reports is the command's own,
# not the pages a fork of this (large) benchmark process happened to share.
MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def child(command, env):
    """Run a command; return (seconds, peak resident MB) of that process alone."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(result.stdout.split()[-1]) / 1024


class QueryCounter:
    """Counts the SQL statements a block sends (a Django execute wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
