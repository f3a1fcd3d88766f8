"""Whether a problem-solving response worked (the A of SARA), from the data.

The target is a block of grid cells (a hot spot) or an area. Incidents are
counted in the months before the response began and the same number after,
in three places:

* the **target**;
* a **buffer**: for cells, the ring of cells around the block, where
  displaced offending would go; for an area, none;
* a **comparison** area, which had no response, for what would have
  happened anyway (the rest of the district, say).

The answer is the target's change relative to the comparison's (a ratio of
rate ratios with an exact 95% interval, as in ``evaluation``), and for cells
the **weighted displacement quotient** (Bowers and Johnson 2003):

    WDQ = (B_after/C_after - B_before/C_before)
          / (R_after/C_after - R_before/C_before)

with R the target, B the buffer and C the comparison. Read only when the
target improved relative to the comparison (the denominator is negative):
WDQ > 0 means the buffer improved too (a diffusion of benefits), WDQ < 0
that the buffer got worse (displacement); WDQ < -1 that the displacement
outweighed the gain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saferplaces.analytics.hotspot_report import (
    HotspotError,
    Request,
    incidents,
    months_between,
)
from saferplaces.analytics.store import Store


@dataclass(frozen=True)
class Place:
    before: int
    after: int


@dataclass(frozen=True)
class Assessment:
    baseline: tuple[str, str]
    followup: tuple[str, str]
    target: Place
    comparison: Place
    buffer: Place | None
    relative: float  # target's rate ratio over the comparison's
    lower: float
    upper: float
    wdq: float | None

    @property
    def significant(self) -> bool:
        return not (self.lower <= 1 <= self.upper)

    def sentence(self) -> str:
        change = _percent(self.relative)
        words = (
            f"Incidents in the target went from {self.target.before} to "
            f"{self.target.after}, and in the comparison area from "
            f"{self.comparison.before} to {self.comparison.after}: relative to the "
            f"comparison the target changed by {change} (95% interval "
            f"{_percent(self.lower)} to {_percent(self.upper)}"
        )
        words += "), more than chance." if self.significant else "), within chance."
        if self.buffer is not None:
            words += (
                f" The surrounding cells went from {self.buffer.before} to "
                f"{self.buffer.after}"
            )
            words += f"; {displacement_words(self.wdq)}"
        return words


def _percent(ratio: float) -> str:
    if math.isnan(ratio) or math.isinf(ratio):
        return "an unknown amount"
    return f"{100 * (ratio - 1):+.0f}%"


def displacement_words(wdq: float | None) -> str:
    if wdq is None:
        return (
            "the displacement quotient cannot be read, as the target did not "
            "improve against the comparison."
        )
    if wdq > 0:
        return f"weighted displacement quotient {wdq:.2f}: benefits spread to them."
    if wdq < -1:
        return (
            f"weighted displacement quotient {wdq:.2f}: displacement outweighed "
            "the gain."
        )
    if wdq < 0:
        return f"weighted displacement quotient {wdq:.2f}: some displacement."
    return "weighted displacement quotient 0: no change around it."


def weighted_displacement_quotient(
    target: Place, buffer: Place, comparison: Place
) -> float | None:
    """Bowers and Johnson's WDQ; None where it cannot be read (the target
    did not improve relative to the comparison, or the comparison is empty)."""
    if comparison.before == 0 or comparison.after == 0:
        return None
    success = target.after / comparison.after - target.before / comparison.before
    if success >= 0:
        return None
    spread = buffer.after / comparison.after - buffer.before / comparison.before
    return spread / success


def windows(response_starts: str, months: int) -> tuple[list[str], list[str]]:
    """``months`` months before the response's first month, and ``months``
    from it."""
    months_between(response_starts, response_starts)  # says so if not a month
    if months < 1:
        raise HotspotError("the windows need at least one month")
    start = int(response_starts[:4]) * 12 + int(response_starts[5:7]) - 1
    before = months_between(_label(start - months), _label(start - 1))
    after = months_between(_label(start), _label(start + months - 1))
    return before, after


def _label(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


def assess(
    store: Store,
    source: str,
    kind: str | None,
    comparison_area: str,
    response_starts: str,
    months: int,
    *,
    area: str | None = None,
    cells: list[str] | None = None,
    cell_size: float = 250.0,
    within: str | None = None,
) -> Assessment:
    """The assessment of a response that began in ``response_starts``
    (YYYY-MM), over ``months`` months either side. The target is ``area``, or
    ``cells`` ("x-y" south-west corners) of ``cell_size`` metres counted
    from the incidents of ``within`` (an area holding them)."""
    if (area is None) == (cells is None):
        raise HotspotError("give the target as an area or as cells, not both")
    before, after = windows(response_starts, months)

    def count(code: str, period: list[str]) -> tuple[np.ndarray, np.ndarray]:
        request = Request("counts", source, code, period[0], period[-1], kind=kind)
        return incidents(store, request, period[0], period[-1])

    comparison = Place(
        len(count(comparison_area, before)[0]), len(count(comparison_area, after)[0])
    )
    buffer = None
    if area is not None:
        target = Place(len(count(area, before)[0]), len(count(area, after)[0]))
    else:
        assert cells is not None
        place = within or comparison_area
        target, buffer = _cells(
            count(place, before), count(place, after), cells, cell_size
        )
    relative, lower, upper = _relative(target, comparison)
    wdq = (
        weighted_displacement_quotient(target, buffer, comparison)
        if buffer is not None
        else None
    )
    return Assessment(
        (before[0], before[-1]), (after[0], after[-1]),
        target, comparison, buffer, relative, lower, upper, wdq,
    )  # fmt: skip


def _relative(target: Place, comparison: Place) -> tuple[float, float, float]:
    """The ratio of the two rate ratios with a 95% interval from the
    normal approximation on the log scale (as ``evaluation``'s)."""
    counts = [target.after, target.before, comparison.after, comparison.before]
    if min(counts) == 0:
        return math.nan, 0.0, math.inf
    estimate = (target.after / target.before) / (comparison.after / comparison.before)
    spread = 1.959964 * math.sqrt(sum(1 / c for c in counts))
    return estimate, estimate * math.exp(-spread), estimate * math.exp(spread)


def _cells(
    before: tuple[np.ndarray, np.ndarray],
    after: tuple[np.ndarray, np.ndarray],
    cells: list[str],
    cell_size: float,
) -> tuple[Place, Place]:
    """Counts in the target cells and in the ring of cells around them."""
    corners = []
    for cell in cells:
        try:
            x, y = (float(part) for part in cell.split("-"))
        except ValueError:
            raise HotspotError(
                f"{cell!r} is not a cell: write its corner as x-y"
            ) from None
        corners.append((x, y))
    target = {(round(x / cell_size), round(y / cell_size)) for x, y in corners}
    ring = {
        (cx + dx, cy + dy)
        for cx, cy in target
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    } - target

    def tally(points: tuple[np.ndarray, np.ndarray]) -> tuple[int, int]:
        keys = zip(
            np.floor(points[0] / cell_size).astype(int),
            np.floor(points[1] / cell_size).astype(int),
            strict=True,
        )
        inside = around = 0
        for key in keys:
            inside += key in target
            around += key in ring
        return inside, around

    (t0, b0), (t1, b1) = tally(before), tally(after)
    return Place(t0, t1), Place(b0, b1)
