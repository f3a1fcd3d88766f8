"""Statistical process control: XmR charts as NHS England's "Making Data Count".

Method (Making Data Count, NHS England and Improvement, 2019/2021):

* Centre line: the mean of the points in the segment.
* Moving ranges: the absolute difference of consecutive points. With
  ``screen_outliers`` (the default) a moving range is kept only when it is
  strictly below the upper range limit (3.267 x the average moving range)
  and the average is recomputed once from those kept, so one wild month
  does not widen the limits; without it the chart matches the Making Data
  Count spreadsheet.
* ``fix_after_n_points`` (12 or more): the mean and moving ranges come from
  the first N points of each segment only; later points are judged against
  those limits.
* Process limits: mean +/- 2.66 x average moving range (3 sigma, with
  sigma = average moving range / 1.128); the 2-sigma lines are at
  mean +/- (2/3) x 2.66 x average moving range.
* Rules, in order of precedence (a point takes the first rule that marks it):
  1. a point beyond a process limit;
  2. a run of 7 points each rising (or each falling) from the one before;
  3. two of three consecutive points close to a limit (beyond the 2-sigma
     line but not beyond the process limit), the three points all on the
     same side of the mean;
  4. a run of 7 points on the same side of the mean.
* Polarity turns "high" and "low" into improvement or concern. The
  variation icon describes the latest point; the assurance icon compares a
  target with the latest segment's limits (and needs a target).
* With fewer than 12 points the limits are trial limits, and a warning says
  so. Rebasing starts a new segment (its own mean and limits) at a stated
  period, e.g. when an intervention starts; a rebase period that is not in
  the data does nothing (a warning says so).

These follow the R package NHSRplotthedots exactly (its own test cases are
in tests/analytics/test_spc.py).

Example:
    >>> chart = xmr([10, 12, 11, 13, 12, 30, 11, 12, 13, 12, 11, 12],
    ...             polarity="down")
    >>> chart.points[5].signal, chart.points[5].special_cause
    ('beyond_limits', 'concern_high')
    >>> round(chart.points[0].mean, 2)
    13.25
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Polarity = Literal["up", "down", "neither"]

LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
RANGE_LIMIT_FACTOR = 3.267  # D4 for moving ranges of two points
RUN_LENGTH = 7
SHIFT_LENGTH = 7
MIN_POINTS = 12
# Limits fixed on fewer points than a trial chart needs would be no limits.
MIN_FIXED_POINTS = MIN_POINTS

SIGNALS = ("beyond_limits", "trend", "two_of_three", "shift")


# Statistical process control, as NHS England's "Making Data Count" names
# its variation and assurance icons (read by saferplaces.lib.labels).
VARIATION_WORDS: dict[str, str] = {
    "common_cause": "common cause: no special cause seen",
    "improvement_high": "special cause of improvement: higher",
    "improvement_low": "special cause of improvement: lower",
    "concern_high": "special cause of concern: higher",
    "concern_low": "special cause of concern: lower",
    "neither_high": "special cause: higher (neither improvement nor concern)",
    "neither_low": "special cause: lower (neither improvement nor concern)",
}
ASSURANCE_WORDS: dict[str, str] = {
    "hit_and_miss": "hit and miss: the target lies within the process limits",
    "consistently_pass": "consistently passes the target",
    "consistently_fail": "consistently fails the target",
    "none": "no target set",
}
SIGNAL_WORDS: dict[str, str] = {
    "beyond_limits": "a point beyond the process limits",
    "trend": f"a trend ({RUN_LENGTH} points rising or falling)",
    "two_of_three": "two of three points near a limit",
    "shift": f"a shift ({SHIFT_LENGTH} points on one side of the mean)",
}


@dataclass(frozen=True)
class XmRPoint:
    period: str
    value: float
    segment: int
    mean: float
    lower: float
    upper: float
    lower_2sigma: float
    upper_2sigma: float
    # The highest-precedence rule that marks this point, or None.
    signal: str | None
    # improvement_high, concern_low, neither_high, ... or None.
    special_cause: str | None


@dataclass(frozen=True)
class XmRChart:
    points: list[XmRPoint]
    polarity: Polarity
    target: float | None
    variation: str
    assurance: str | None
    trial_limits: bool
    warnings: list[str]


@dataclass(frozen=True)
class DrawnLimits:
    """A segment's process limits as drawn: the computed limits, each moved
    to the nearest value the measure can take (a count's lower limit of
    -2.2 is drawn at 0). Signals are judged on the computed limits, as
    NHSRplotthedots does; only the drawing and its words change."""

    lower: float
    upper: float
    computed_lower: float
    computed_upper: float

    @property
    def lower_moved(self) -> bool:
        return self.lower != self.computed_lower

    @property
    def upper_moved(self) -> bool:
        return self.upper != self.computed_upper


def drawn(
    point: XmRPoint, possible: tuple[float | None, float | None] = (None, None)
) -> DrawnLimits:
    """The limits of ``point``'s segment as drawn, inside ``possible`` (the
    least and most the measure can be; None: no bound).

    Example (a count cannot fall below zero):
        >>> chart = xmr([0, 3, 0, 5, 1, 0, 4, 0, 2, 6, 0, 1])
        >>> limits = drawn(chart.points[0], (0.0, None))
        >>> round(limits.computed_lower, 2), limits.lower, limits.lower_moved
        (-7.11, 0.0, True)
    """
    least, most = possible
    lower, upper = point.lower, point.upper
    if least is not None:
        lower, upper = max(lower, least), max(upper, least)
    if most is not None:
        lower, upper = min(lower, most), min(upper, most)
    return DrawnLimits(lower, upper, point.lower, point.upper)


def xmr(
    values: Sequence[float],
    periods: Sequence[str] | None = None,
    *,
    polarity: Polarity = "neither",
    target: float | None = None,
    rebase_at: Sequence[str] = (),
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
) -> XmRChart:
    """An XmR chart of ``values`` (in time order) with its signals and icons.

    ``polarity`` says which way is better: "up", "down" or "neither".
    ``rebase_at`` lists periods at which a new segment starts.
    """
    if len(values) < 2:
        raise ValueError("an XmR chart needs at least two points")
    labels = (
        list(periods) if periods is not None else [str(i) for i in range(len(values))]
    )
    if len(labels) != len(values):
        raise ValueError("periods and values differ in length")
    if fix_after_n_points is not None and fix_after_n_points < MIN_FIXED_POINTS:
        raise ValueError(
            f"limits can be fixed after {MIN_FIXED_POINTS} or more points, "
            f"not {fix_after_n_points}"
        )
    warnings: list[str] = [
        f"rebase at {period} ignored: no such period"
        for period in rebase_at
        if period not in labels
    ]
    starts = sorted(
        {0, *(labels.index(period) for period in rebase_at if period in labels)}
    )
    bounds = [*starts, len(values)]
    points: list[XmRPoint] = []
    trial = False
    for segment, (start, end) in enumerate(itertools.pairwise(bounds)):
        chunk = [float(v) for v in values[start:end]]
        basis = chunk[:fix_after_n_points] if fix_after_n_points else chunk
        if len(basis) < MIN_POINTS:
            trial = True
            warnings.append(
                f"segment from {labels[start]} has {len(basis)} points; limits are "
                f"trial limits until there are {MIN_POINTS}"
            )
        limits = _limits(basis, screen_outliers)
        points += _segment(chunk, labels[start:end], segment, polarity, limits)
    latest = points[-1]
    return XmRChart(
        points=points,
        polarity=polarity,
        target=target,
        variation=_variation(latest),
        assurance=_assurance(latest, polarity, target),
        trial_limits=trial,
        warnings=warnings,
    )


def _limits(basis: list[float], screen_outliers: bool) -> tuple[float, float]:
    """(mean, average moving range) of the points the limits rest on."""
    mean = sum(basis) / len(basis)
    ranges = [abs(b - a) for a, b in itertools.pairwise(basis)]
    average_range = sum(ranges) / len(ranges) if ranges else 0.0
    if screen_outliers:
        # Strictly below, as NHSRplotthedots: a range equal to the limit goes.
        kept = [r for r in ranges if r < RANGE_LIMIT_FACTOR * average_range]
        average_range = sum(kept) / len(kept) if kept else 0.0
    return mean, average_range


def _segment(
    values: list[float],
    labels: list[str],
    segment: int,
    polarity: Polarity,
    limits: tuple[float, float],
) -> list[XmRPoint]:
    mean, average_range = limits
    spread = LIMIT_FACTOR * average_range
    upper, lower = mean + spread, mean - spread
    upper_2, lower_2 = mean + spread * 2 / 3, mean - spread * 2 / 3
    marks = _signals(values, mean, lower, upper, lower_2, upper_2)
    return [
        XmRPoint(
            period=label,
            value=value,
            segment=segment,
            mean=mean,
            lower=lower,
            upper=upper,
            lower_2sigma=lower_2,
            upper_2sigma=upper_2,
            signal=mark[0] if mark else None,
            special_cause=_cause(mark[1], polarity) if mark else None,
        )
        for label, value, mark in zip(labels, values, marks, strict=True)
    ]


def _signals(
    values: list[float],
    mean: float,
    lower: float,
    upper: float,
    lower_2: float,
    upper_2: float,
) -> list[tuple[str, str] | None]:
    """(rule, "high"/"low") for each point, by the rules' precedence."""
    n = len(values)
    found: dict[str, list[str | None]] = {rule: [None] * n for rule in SIGNALS}
    for i, value in enumerate(values):
        if value > upper:
            found["beyond_limits"][i] = "high"
        elif value < lower:
            found["beyond_limits"][i] = "low"
    _mark_runs(
        found["trend"],
        [_sign(b - a) for a, b in itertools.pairwise(values)],
        RUN_LENGTH - 1,
        offset=1,
    )
    sides = [_sign(v - mean) for v in values]
    # Close to a limit: beyond the 2-sigma line, not beyond the limit itself.
    close = [
        found["beyond_limits"][i] is None and (v > upper_2 or v < lower_2)
        for i, v in enumerate(values)
    ]
    for i in range(n - 2):
        window = range(i, i + 3)
        side = sides[i]
        same_side = side is not None and all(sides[j] == side for j in window)
        marked = [j for j in window if close[j]]
        if same_side and len(marked) >= 2:
            for j in marked:
                found["two_of_three"][j] = side
    _mark_runs(found["shift"], sides, SHIFT_LENGTH, offset=0)
    marks: list[tuple[str, str] | None] = []
    for i in range(n):
        first = next((rule for rule in SIGNALS if found[rule][i] is not None), None)
        direction = found[first][i] if first else None
        marks.append((first, direction) if first and direction else None)
    return marks


def _sign(number: float) -> str | None:
    if number > 0:
        return "high"
    if number < 0:
        return "low"
    return None  # a tie (or a point on the mean) breaks a run


def _mark_runs(
    marks: list[str | None], signs: list[str | None], length: int, offset: int
) -> None:
    """Mark every point of each run of ``length`` equal signs.

    For trends the signs are of differences, so a run of 6 rises spans 7
    points (``offset=1`` marks the point before the first rise too).
    """
    start = 0
    while start < len(signs):
        end = start
        while end + 1 < len(signs) and signs[end + 1] == signs[start]:
            end += 1
        if signs[start] is not None and end - start + 1 >= length:
            for i in range(start, end + 1 + offset):
                marks[i] = signs[start]
        start = end + 1


def _cause(side: str, polarity: Polarity) -> str:
    if polarity == "neither":
        return f"neither_{side}"
    good = (side == "high") == (polarity == "up")
    return f"{'improvement' if good else 'concern'}_{side}"


def _variation(latest: XmRPoint) -> str:
    return latest.special_cause or "common_cause"


def _assurance(
    latest: XmRPoint, polarity: Polarity, target: float | None
) -> str | None:
    if target is None or polarity == "neither":
        return None
    if latest.lower <= target <= latest.upper:
        return "hit_and_miss"
    passes_below = target < latest.lower  # the whole process is above target
    return (
        "consistently_pass"
        if passes_below == (polarity == "up")
        else "consistently_fail"
    )
