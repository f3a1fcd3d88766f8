"""A published figure in words a resident reads: against the year before, and
among the areas around it. Against the year before:
up or down, by how much, and whether a statistical test says the change is
real. "Real" (significant at the 95% level) is said only where a test
says so; a change no test is made for is described, never judged.

The tests, both from ``compare``:

* a count (or a rate per resident): the exact conditional test of two
  Poisson rates, per month of data when the years cover different months,
  per resident when their populations differ;
* a survey share: Newcombe's hybrid score interval for the difference of
  two shares, from each year's own published interval.

Published counts may carry a little noise (cell key perturbation); as for
every published rate and signal, the test is of the published counts.

Example (the demo's fear of crime: 62% then 86%, each from its interval):
    >>> from saferplaces.analytics.measures import REGISTRY
    >>> safety = REGISTRY["perceptions-of-safety"]
    >>> before = Figure("2014/15", 62.0, None, None, 12, 53.1, 70.1)
    >>> now = Figure("2015/16", 86.0, None, None, 12, 79.0, 91.0)
    >>> change = year_on_year(safety, before, now)
    >>> change.direction, change.real
    ('up', True)
    >>> print(change.words[:33])
    Up 24 points from 62% in 2014/15.
    >>> print(change.words[34:])  # doctest: +NORMALIZE_WHITESPACE
    A statistical test says this is a real change for the better, not chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from saferplaces.analytics.compare import rate_ratio, share_difference
from saferplaces.analytics.measures import Measure

Direction = Literal["up", "down", "same"]


@dataclass(frozen=True)
class Figure:
    """One period's published figure, as a results ``Row`` carries it."""

    period: str
    value: float | None
    # The count (None for a survey share) and its residents (rates only).
    numerator: float | None
    denominator: float | None
    months: int
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class YearOnYear:
    direction: Direction
    # True or False where a test was made; None where none is.
    real: bool | None
    words: str


def year_on_year(measure: Measure, before: Figure, now: Figure) -> YearOnYear | None:
    """``now`` against ``before`` in words (None if either has no figure)."""
    if before.value is None or now.value is None:
        return None
    direction: Direction = (
        "up" if now.value > before.value else "down" if now.value < before.value
        else "same"
    )  # fmt: skip
    real = _tested(measure, before, now)
    if direction == "same":
        words = f"The same as in {before.period}."
    elif not before.value:
        words = f"Up from none in {before.period}."
    else:
        words = (
            f"{direction.capitalize()} {_size(measure, before, now)} from "
            f"{_shown(measure, before.value)} in {before.period}"
            f"{_per_month(measure, before, now)}."
        )
    if real is True and direction != "same":
        better = _better(measure, direction)
        words += f" A statistical test says this is a real change{better}, not chance."
    elif real is False and direction != "same":
        words += (
            " A change this size could be chance: a statistical test does not "
            "find a real change."
        )
    return YearOnYear(direction, real, words)


def _tested(measure: Measure, before: Figure, now: Figure) -> bool | None:
    if measure.kind == "proportion":
        if None in (before.lower, before.upper, now.lower, now.upper):
            return None
        return share_difference(_fractions(now), _fractions(before)).significant
    if (
        measure.kind == "count"
        and now.numerator is not None
        and before.numerator is not None
    ):
        # Like for like: per month of data, and per resident for a rate.
        exposure = now.months * (now.denominator or 1.0)
        baseline = before.months * (before.denominator or 1.0)
        if exposure <= 0 or baseline <= 0:
            return None
        return rate_ratio(
            round(now.numerator), round(before.numerator), exposure, baseline
        ).significant
    return None  # a ratio of counts per person: no test is made here


def _fractions(figure: Figure) -> tuple[float, float, float]:
    assert figure.value is not None
    assert figure.lower is not None
    assert figure.upper is not None
    return figure.value / 100, figure.lower / 100, figure.upper / 100


def _size(measure: Measure, before: Figure, now: Figure) -> str:
    assert before.value is not None
    assert now.value is not None
    if measure.kind == "proportion":
        points = abs(now.value - before.value)
        return f"{points:.0f} points" if points.is_integer() else f"{points:.1f} points"
    # A count's year so far is compared month for month.
    per_month = now.value / now.months, before.value / before.months
    return f"{abs(per_month[0] / per_month[1] - 1) * 100:.0f}%"


def _per_month(measure: Measure, before: Figure, now: Figure) -> str:
    if measure.kind == "proportion" or now.months == before.months:
        return ""
    return f", month for month ({now.period} has {now.months} months of data so far)"


def _shown(measure: Measure, value: float) -> str:
    if measure.kind == "proportion":
        return f"{value:.0f}%"
    number = f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return f"{number} {measure.unit}"


def _better(measure: Measure, direction: Direction) -> str:
    if measure.polarity == "neither":
        return ""
    better = (direction == "up") == (measure.polarity == "up")
    return " for the better" if better else " for the worse"


def among(
    measure: Measure,
    rank: int,
    ranked: int,
    level: str,
    parent: str,
    in_line: bool | None = None,
) -> str:
    """An area's place among the areas of its parent, by the measure's own
    order (rank 1 is the best): "2nd lowest of the 4 wards in Edgbaston".

    >>> from saferplaces.analytics.measures import REGISTRY
    >>> among(REGISTRY["total-recorded-crime"], 2, 4, "ward", "Edgbaston")
    'The 2nd lowest of the 4 wards in Edgbaston.'
    >>> among(REGISTRY["total-recorded-crime"], 4, 4, "ward", "Edgbaston")
    'The highest of the 4 wards in Edgbaston.'
    """
    best, worst = (
        ("lowest", "highest") if measure.polarity == "down" else ("highest", "lowest")
    )
    place = worst if rank == ranked else f"{_ordinal(rank)}{best}"
    words = f"The {place} of the {ranked} {level.replace('_', ' ')}s in {parent}."
    # "In line": the change's ratio to the parent's has an interval
    # including 1 (compare.relative_to_parent), a test either way.
    if in_line is True:
        words += f" Its change on the year before is in line with {parent}'s."
    elif in_line is False:
        words += (
            f" Its change on the year before differs from {parent}'s: a "
            "statistical test says the difference is real."
        )
    return words


def _ordinal(number: int) -> str:
    if number == 1:
        return ""
    suffix = (
        "th"
        if 10 <= number % 100 <= 20
        else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix} "
