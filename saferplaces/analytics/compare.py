"""Change between periods for counts: the exact Poisson rate ratio.

Recorded crime is a count, so "is this year different from last year?" is a
question about two Poisson rates. Conditional on the total, the first
period's count is binomial with probability ``e1 / (e1 + e2)`` under "no
change" (``e`` is the exposure: population x time, or 1 for raw counts),
which gives an exact test and, through the Clopper-Pearson interval for that
probability, an exact interval for the rate ratio.

"In line with the parent area" compares the area's rate ratio with its
parent's: the ratio of the two ratios, with an interval from their log
standard errors (a Wald interval; exact intervals do not combine).

Example:
    >>> change = rate_ratio(120, 100)
    >>> round(change.ratio, 2), change.significant
    (1.2, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from statistics import NormalDist

from scipy import special, stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class RateRatio:
    """``ratio`` = (count / exposure) now over (count / exposure) before."""

    count: int
    baseline_count: int
    ratio: float
    lower: float
    upper: float
    share: float  # the first period's share of the exposure

    @cached_property
    def p_value(self) -> float:
        """Two-sided exact p-value for "no change" (computed when asked:
        ranking hundreds of areas needs only the intervals)."""
        total = self.count + self.baseline_count
        if total == 0:
            return 1.0
        return float(stats.binomtest(self.count, total, self.share).pvalue)

    @property
    def significant(self) -> bool:
        """True when the interval excludes 1 (no change)."""
        return self.lower > 1 or self.upper < 1

    @property
    def percent_change(self) -> float:
        return (self.ratio - 1) * 100


def rate_ratio(
    count: int,
    baseline_count: int,
    exposure: float = 1.0,
    baseline_exposure: float = 1.0,
    confidence: float = CONFIDENCE,
) -> RateRatio:
    """Exact conditional test and interval for the ratio of two Poisson rates.

    >>> r = rate_ratio(30, 10)
    >>> round(r.lower, 2), round(r.upper, 2), r.significant
    (1.43, 6.88, True)
    """
    if count < 0 or baseline_count < 0:
        raise ValueError("counts cannot be negative")
    if exposure <= 0 or baseline_exposure <= 0:
        raise ValueError("exposures must be positive")
    total = count + baseline_count
    scale = baseline_exposure / exposure
    share = exposure / (exposure + baseline_exposure)
    if total == 0:
        return RateRatio(count, baseline_count, math.nan, 0.0, math.inf, share)
    # Clopper-Pearson limits for the first period's share of the events.
    # betaincinv is beta.ppf without scipy.stats' per-call overhead, which
    # dominated ranking hundreds of areas (bench/measures.py).
    tail = (1 - confidence) / 2
    low = float(special.betaincinv(count, baseline_count + 1, tail)) if count else 0.0
    high = (
        float(special.betaincinv(count + 1, baseline_count, 1 - tail))
        if baseline_count
        else 1.0
    )

    def to_ratio(p: float) -> float:
        return math.inf if p >= 1 else p / (1 - p) * scale

    ratio = math.inf if baseline_count == 0 else count / baseline_count * scale
    return RateRatio(
        count=count,
        baseline_count=baseline_count,
        ratio=ratio,
        lower=to_ratio(low),
        upper=to_ratio(high),
        share=share,
    )


@dataclass(frozen=True)
class RelativeChange:
    """The area's change divided by its parent's change."""

    ratio: float
    lower: float
    upper: float

    @property
    def in_line(self) -> bool:
        """True when the interval includes 1: in line with the parent."""
        return self.lower <= 1 <= self.upper


def relative_to_parent(
    area: RateRatio, parent: RateRatio, confidence: float = CONFIDENCE
) -> RelativeChange:
    """Is the area's change in line with its parent's? (ratio of rate ratios)

    The log rate ratio's standard error is sqrt(1/a + 1/b); the two are
    treated as independent, which overstates the spread a little when the
    area is part of the parent (so "in line" errs on the cautious side).

    >>> round(relative_to_parent(rate_ratio(60, 50), rate_ratio(600, 500)).ratio, 2)
    1.0
    """
    counts = (area.count, area.baseline_count, parent.count, parent.baseline_count)
    if min(counts) == 0:
        return RelativeChange(math.nan, 0.0, math.inf)
    log_ratio = math.log(area.ratio) - math.log(parent.ratio)
    error = math.sqrt(sum(1 / c for c in counts))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return RelativeChange(
        ratio=math.exp(log_ratio),
        lower=math.exp(log_ratio - z * error),
        upper=math.exp(log_ratio + z * error),
    )


@dataclass(frozen=True)
class ShareDifference:
    """``difference`` = share now minus share before, with its 95% interval."""

    difference: float
    lower: float
    upper: float

    @property
    def significant(self) -> bool:
        return self.lower > 0 or self.upper < 0


def share_difference(
    now: tuple[float, float, float], before: tuple[float, float, float]
) -> ShareDifference:
    """The change in a share between two periods, from each period's own
    (share, lower, upper) score interval: Newcombe's hybrid score interval
    (Newcombe 1998, method 10).

    It needs only the two intervals, so a weighted survey share (a Wilson
    interval on Kish's effective size) is handled like a plain count.

    Example (Newcombe's table II, 56/70 against 48/80):
        >>> from saferplaces.analytics.measures.proportions import wilson_interval
        >>> a, b = 56 / 70, 48 / 80
        >>> d = share_difference((a, *wilson_interval(a, 70)),
        ...                      (b, *wilson_interval(b, 80)))
        >>> round(d.difference, 4), round(d.lower, 4), round(d.upper, 4)
        (0.2, 0.0524, 0.3339)
    """
    p1, low1, high1 = now
    p2, low2, high2 = before
    difference = p1 - p2
    return ShareDifference(
        difference,
        difference - math.hypot(p1 - low1, high2 - p2),
        difference + math.hypot(high1 - p1, p2 - low2),
    )
