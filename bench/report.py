"""The benchmark's table: each figure beside its raw baseline and, where the issue sets
one, its budget and whether it is met."""

from dataclasses import dataclass


@dataclass
class Row:
    figure: str
    product: str = ""
    raw: str = ""
    ratio: str = ""
    budget: str = ""
    met: bool | None = None


def ms(seconds):
    return f"{1000 * seconds:.1f}"


def ratio(product_seconds, raw_seconds):
    """How many times the raw baseline's time the product takes."""
    return f"{product_seconds / raw_seconds:.1f}x"


def at_most(figure, seconds, limit_ms, raw_seconds=None):
    """A time in milliseconds against a ceiling."""
    return Row(
        figure,
        ms(seconds),
        ms(raw_seconds) if raw_seconds else "",
        ratio(seconds, raw_seconds) if raw_seconds else "",
        f"<= {limit_ms:,} ms",
        1000 * seconds <= limit_ms,
    )


def show(rows):
    headings = Row("figure", "product", "raw", "ratio", "budget")
    columns = ("figure", "product", "raw", "ratio", "budget")
    width = {name: max(len(getattr(row, name)) for row in [headings, *rows]) for name in columns}
    for row in [headings, *rows]:
        verdict = {True: "met", False: "MISSED", None: ""}[row.met]
        cells = [row.figure.ljust(width["figure"])]
        cells += [getattr(row, name).rjust(width[name]) for name in columns[1:]]
        print("  ".join([*cells, verdict]))
    budgets = [row.met for row in rows if row.budget]
    unmeasured = budgets.count(None)
    print(f"\n{budgets.count(True)} of {len(budgets)} budgets met, {unmeasured} not measured")
