"""How fast the suggestion engine answers a 5,000-word article once its pipeline is loaded.

    .venv/bin/python bench/suggestions.py [--words 5000] [--runs 5]

The article is PolNeAR's training texts (``../shared/corpora/polnear``) joined in file
order until it holds the words asked for. Prints the pipeline's load time, then each
run's time and what it suggested; nothing is asserted: it measures.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import text  # noqa: E402
from annotator.suggestions import engine, pipeline  # noqa: E402

TEXTS = ROOT.parent / "shared" / "corpora" / "polnear" / "data" / "train" / "text"
BUDGET = 2.0  # seconds for a 5,000-word article (issue 19)


def article(words: int) -> str:
    """PolNeAR texts joined until ``words`` words, cut at the last whole paragraph."""
    paragraphs = []
    for path in sorted(TEXTS.glob("*.txt")):
        for paragraph in text.normalise_text(path.read_text(encoding="utf-8")).split("\n"):
            if paragraph.strip():
                paragraphs.append(paragraph)
                if text.word_count("\n\n".join(paragraphs)) >= words:
                    return "\n\n".join(paragraphs)
    return "\n\n".join(paragraphs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    body = article(options.words)
    started = time.perf_counter()
    pipeline.nlp()
    print(f"pipeline {pipeline.PACKAGE} loaded in {time.perf_counter() - started:.2f} s")
    print(f"article: {text.word_count(body)} words, {len(body)} code points")
    seconds = []
    for run in range(1, options.runs + 1):
        started = time.perf_counter()
        suggestions = engine.suggest(body)
        seconds.append(time.perf_counter() - started)
        print(f"run {run}: {seconds[-1]:.3f} s, {len(suggestions)} suggestions")
    median = statistics.median(seconds)
    verdict = "met" if median < BUDGET else "NOT met"
    print(f"median {median:.3f} s (budget {BUDGET:.1f} s: {verdict}), engine {engine.identity()}")


if __name__ == "__main__":
    main()
