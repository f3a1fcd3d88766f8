"""Evaluation designed in: an intervention's result from the measures engine.

Before and after: the change in the target area between the baseline and
the follow-up periods (for counts, the exact Poisson rate ratio of monthly
rates; for shares, the difference in percentage points).

Difference in differences: the same change in a comparison area is taken
as what would have happened anyway. For counts the estimate is the ratio of
the two rate ratios (how much lower or higher the target's change was than
the comparison's), with a 95% interval on the log scale; for shares it is
the difference of the two differences, in percentage points, with a normal
interval from each period's effective sample size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from saferplaces.analytics.compare import rate_ratio, relative_to_parent
from saferplaces.analytics.geography import name_of
from saferplaces.analytics.measures import get_measure, measure_series
from saferplaces.analytics.measures.proportions import Tally, monthly_tallies
from saferplaces.analytics.measures.series import measure_months
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.codes import month_number, month_of

Z95 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class Window:
    first: str  # YYYY-MM
    last: str

    @property
    def months(self) -> int:
        y1, m1 = (int(part) for part in self.first.split("-"))
        y2, m2 = (int(part) for part in self.last.split("-"))
        return (y2 - y1) * 12 + m2 - m1 + 1


@dataclass(frozen=True)
class Result:
    estimate: float
    lower: float
    upper: float
    scale: str  # "ratio" or "points"
    statement: str
    # The comparison area's name ("" for before and after).
    compared_with: str = ""

    @property
    def neutral(self) -> float:
        """The estimate of no effect: a ratio of 1, a difference of 0."""
        return 1.0 if self.scale == "ratio" else 0.0

    @property
    def significant(self) -> bool:
        return not (self.lower <= self.neutral <= self.upper)

    def verdict(self, aim: str) -> str:
        """The result judged by what the plan wants of the measure (``aim``:
        "up", "down", or anything else for no aim either way), in words
        that agree with the interval: better or worse only when it excludes
        no change.

        >>> Result(2.2, 1.5, 3.2, "ratio", "", "Northfield").verdict("down")[:34]
        'Worse than the comparison area: th'
        """
        against = "the comparison area" if self.compared_with else "before"
        if not self.significant:
            unclear = "difference from" if self.compared_with else "change from"
            return (
                f"No clear {unclear} {against}: the interval includes no change, "
                "so the data cannot tell an effect from chance."
            )
        rose = self.estimate > self.neutral
        if aim in ("up", "down"):
            judged = "Better" if rose == (aim == "up") else "Worse"
            wants = "increase" if aim == "up" else "reduce"
            why = f"the plan aims to {wants} this measure"
        else:
            judged = "Higher" if rose else "Lower"
            why = "the plan aims to move this measure neither way"
        moved = "rose" if rose else "fell"
        where = f"against {self.compared_with}" if self.compared_with else ""
        return (
            f"{judged} than {against}: {why}, and it {moved} {where} by more "
            "than chance explains."
        ).replace("  ", " ")


def evaluate(
    store: Store,
    measure_id: str,
    target: str,
    baseline: Window,
    followup: Window,
    comparison: str | None = None,
) -> Result:
    """The intervention's estimated effect; see the module docs."""
    why_not = why_not_evaluable(measure_id)
    if why_not:
        raise Refused(why_not)
    measure = get_measure(measure_id)
    held = set(measure_months(store, measure, None))
    for name, window in (("baseline", baseline), ("follow-up", followup)):
        _require_months(measure_id, name, window, held)
    if measure.kind == "count":
        return _counts(store, measure_id, target, baseline, followup, comparison)
    return _shares(store, measure_id, target, baseline, followup, comparison)


def why_not_evaluable(measure_id: str) -> str:
    """Why ``measure_id`` cannot be evaluated ("" if it can): evaluation is
    built for counts and shares."""
    if get_measure(measure_id).kind == "ratio":
        return "evaluation is built for counts and shares"
    return ""


def _require_months(measure_id: str, name: str, window: Window, held: set[str]) -> None:
    """Refuse a window with months the store holds no data for: they are
    not zero, so the change would be wrong (as ``_too_few_for_a_rolling_year``
    says how many months it needs and has)."""
    start = month_number(window.first)
    needed = [month_of(start + offset) for offset in range(window.months)]
    have = [month for month in needed if month in held]
    if len(have) < len(needed):
        raise Refused(
            f"the {name} needs the {len(needed)} months {window.first} to "
            f"{window.last} of {measure_id}; the store has {len(have)} of them: "
            "choose months it holds"
        )


def _total(store: Store, measure_id: str, area: str, window: Window) -> int:
    points = measure_series(
        store, measure_id, area, first=window.first, last=window.last
    )
    return int(sum(point.numerator or 0 for point in points))


def _counts(
    store: Store,
    measure_id: str,
    target: str,
    baseline: Window,
    followup: Window,
    comparison: str | None,
) -> Result:
    def change(area: str) -> tuple[int, int]:
        return (
            _total(store, measure_id, area, followup),
            _total(store, measure_id, area, baseline),
        )

    after, before = change(target)
    target_change = rate_ratio(after, before, followup.months, baseline.months)
    if comparison is None:
        return Result(
            target_change.ratio,
            target_change.lower,
            target_change.upper,
            "ratio",
            f"The monthly rate in {name_of(store, target)} changed by "
            f"{_percent(target_change.ratio)} from the baseline to the follow-up "
            f"(95% interval {_percent(target_change.lower)} to "
            f"{_percent(target_change.upper)}).",
        )
    other_after, other_before = change(comparison)
    other = rate_ratio(other_after, other_before, followup.months, baseline.months)
    relative = relative_to_parent(target_change, other)
    return Result(
        relative.ratio,
        relative.lower,
        relative.upper,
        "ratio",
        f"{name_of(store, target)} changed by {_percent(target_change.ratio)} "
        f"and {name_of(store, comparison)} by "
        f"{_percent(other.ratio)}: {name_of(store, target)}'s change was "
        f"{_relative(relative.ratio)} than {name_of(store, comparison)}'s "
        f"({_relative_interval(relative.lower, relative.upper)}).",
        compared_with=name_of(store, comparison),
    )


def _relative(ratio: float) -> str:
    """A ratio of changes in words: 2.22 is "122% higher", 0.67 "33% lower"."""
    if math.isinf(ratio) or math.isnan(ratio):
        return "not estimably different"
    change = (ratio - 1) * 100
    if round(change) == 0:
        return "no higher or lower"
    return f"{abs(change):.0f}% {'higher' if change > 0 else 'lower'}"


def _relative_interval(lower: float, upper: float) -> str:
    """ "95% interval 53% to 223% higher", or across no change "57% lower to
    2% higher"."""
    low, high = _relative(lower), _relative(upper)
    if low.split()[-1] == high.split()[-1] and low.endswith(("higher", "lower")):
        low = low.rsplit(" ", 1)[0]
    return f"95% interval {low} to {high}"


def _percent(ratio: float) -> str:
    if math.isinf(ratio) or math.isnan(ratio):
        return "not estimable"
    change = (ratio - 1) * 100
    return f"{change:+.0f}%"


def _share(
    store: Store, measure_id: str, area: str, window: Window
) -> tuple[float, float]:
    """(share in points, its variance) pooled over the window, with the Kish
    effective sample size standing in for the number of respondents."""
    tallies = monthly_tallies(store, get_measure(measure_id), area, None, None)
    pooled = sum(
        (
            t
            for (month, _), t in tallies.items()
            if window.first <= month <= window.last
        ),
        Tally(),
    )
    if not pooled.weight:
        raise Refused(f"{measure_id} has no responses for {area} in that window")
    share = pooled.weighted_successes / pooled.weight
    return 100 * share, 10_000 * share * (1 - share) / pooled.effective_size


def _shares(
    store: Store,
    measure_id: str,
    target: str,
    baseline: Window,
    followup: Window,
    comparison: str | None,
) -> Result:
    def difference(area: str) -> tuple[float, float]:
        before, v1 = _share(store, measure_id, area, baseline)
        after, v2 = _share(store, measure_id, area, followup)
        return after - before, v1 + v2

    change, variance = difference(target)
    statement = f"{name_of(store, target)} changed by {change:+.1f} points"
    if comparison is not None:
        other, other_variance = difference(comparison)
        change, variance = change - other, variance + other_variance
        statement += (
            f" against {other:+.1f} in {name_of(store, comparison)}: a difference "
            "in differences of "
            f"{change:+.1f} points"
        )
    half = Z95 * math.sqrt(variance)
    return Result(
        change,
        change - half,
        change + half,
        "points",
        f"{statement} (95% interval {change - half:+.1f} to {change + half:+.1f}).",
        compared_with=name_of(store, comparison) if comparison is not None else "",
    )
