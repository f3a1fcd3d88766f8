"""Whether a problem-solving response worked (the A of SARA), from the data.

The target is a block of grid cells (a hot spot) or an area. Incidents are
counted in the months before the response began and the same number after,
in three places:

* the **target**;
* a **buffer**: for cells, the ring of cells around the block, where
  displaced offending would go; for an area, none. The target's and the
  ring's cells count every incident in them, whatever ward or district it
  falls in (a ring counted only inside the target's ward loses the cells
  across the boundary);
* a **comparison** area, which had no response, for what would have
  happened anyway: the area chosen (the rest of the district, by default)
  with the target and its ring taken out, so that neither the response nor
  any displacement counts on both sides. Records saved before may keep the
  whole area, the target included (``comparison_rest=False``).

The answer is the target's change relative to the comparison's: the ratio
of the two rate ratios, ``(T_after / T_before) / (C_after / C_before)``,
which is the odds ratio of the two-by-two table of the four counts. Its 95%
interval is

* **exact** where any of the four counts is below ``SMALL_COUNT``: given
  the table's margins, the target's "after" count is Fisher's noncentral
  hypergeometric in the ratio, and the limits are the ratios at which the
  observed count is in a 2.5% tail (Cornfield's exact conditional interval,
  scipy's ``odds_ratio(kind="conditional")``). It takes a count of zero;
* **Wald** otherwise: on the log scale, with standard error
  ``sqrt(1/T_after + 1/T_before + 1/C_after + 1/C_before)``. With every
  count at ``SMALL_COUNT`` or more the two agree closely, and the exact one
  costs seconds once counts run to thousands.

For cells there is also the **weighted displacement quotient** (Bowers and
Johnson 2003):

    WDQ = (B_after/C_after - B_before/C_before)
          / (R_after/C_after - R_before/C_before)

with R the target, B the buffer and C the comparison. Read only when the
target improved relative to the comparison (the denominator is negative):
WDQ > 0 means the buffer improved too (a diffusion of benefits), WDQ < 0
that the buffer got worse (displacement); WDQ < -1 that the displacement
outweighed the gain. It is a point estimate: Bowers and Johnson give it no
interval, and none is shown.

Example (the target halves, the comparison stays flat):

    >>> target, comparison = Place(before=40, after=20), Place(300, 300)
    >>> change = relative_change(target, comparison)
    >>> round(change.ratio, 2), change.method, change.significant
    (0.5, 'wald', True)
    >>> ring = Place(before=30, after=27)
    >>> round(weighted_displacement_quotient(target, ring, comparison), 2)
    0.15

(27/300 - 30/300) / (20/300 - 40/300) = -3 / -20.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from saferplaces.analytics import geography
from saferplaces.analytics.hotspot_report import (
    SOURCES,
    HotspotError,
    Request,
    incidents,
    months_between,
)
from saferplaces.analytics.store import Store
from saferplaces.codes import is_lsoa, month_number, month_of

CONFIDENCE = 0.95
# Below this count the log-scale Wald interval's coverage falls short (and
# it cannot take a zero); the exact interval is quick there.
SMALL_COUNT = 20
INTERVAL_WORDS = {
    "exact": f"exact conditional method, as a count is under {SMALL_COUNT}",
    "wald": "Wald method on the log scale",
}
# An area of these levels is its own district when the comparison is "the
# rest of the district".
DISTRICT_OR_LARGER = (
    "district",
    "policing_unit",
    "partnership",
    "local_authority",
    "city",
)


@dataclass(frozen=True)
class Place:
    before: int
    after: int


@dataclass(frozen=True)
class RelativeChange:
    """The target's rate ratio over the comparison's, with its interval and
    the interval's method ("exact" or "wald")."""

    ratio: float
    lower: float
    upper: float
    method: str

    @property
    def significant(self) -> bool:
        return not (self.lower <= 1 <= self.upper)


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
    interval: str  # the interval's method: "exact" or "wald"
    comparison_area: str
    comparison_name: str
    comparison_rest: bool  # the target (and ring) taken out of it
    # The target lies wholly outside the comparison area: nothing to take out.
    apart: bool = False

    @property
    def significant(self) -> bool:
        return not (self.lower <= 1 <= self.upper)

    @property
    def interval_words(self) -> str:
        return INTERVAL_WORDS[self.interval]

    @property
    def comparison_words(self) -> str:
        """What the comparison is, e.g. "the rest of North district (the
        target and the cells around it taken out)"."""
        taken = "the target and the cells around it" if self.buffer else "the target"
        if self.apart:
            return f"{self.comparison_name} (the target lies outside it)"
        if self.comparison_rest:
            return f"the rest of {self.comparison_name} ({taken} taken out)"
        return f"the whole of {self.comparison_name} ({taken} included)"

    def sentence(self) -> str:
        change = _percent(self.relative)
        words = (
            f"Incidents in the target went from {self.target.before} to "
            f"{self.target.after}, and in {self.comparison_words} from "
            f"{self.comparison.before} to {self.comparison.after}: relative to the "
            f"comparison the target changed by {change} (95% interval "
            f"{_percent(self.lower)} to {_percent(self.upper)}; "
            f"{self.interval_words}"
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
    start = month_number(response_starts)
    before = months_between(month_of(start - months), month_of(start - 1))
    after = months_between(month_of(start), month_of(start + months - 1))
    return before, after


def district_around(store: Store, code: str) -> str:
    """The district an area lies in, for "the rest of the district": the
    area itself when it is a district or larger, else the nearest area above
    it that is (a ward's district; with no districts, its local authority)."""
    current = geography.area(store, code)
    seen = {current.code}
    while current.level not in DISTRICT_OR_LARGER:
        above = geography.parent(store, current.code)
        if above is None or above.code in seen:
            raise HotspotError(
                f"no district is known around {code}: name an area to compare with"
            )
        seen.add(above.code)
        current = above
    return current.code


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
    comparison_rest: bool = True,
) -> Assessment:
    """The assessment of a response that began in ``response_starts``
    (YYYY-MM), over ``months`` months either side. The target is ``area``, or
    ``cells`` ("x-y" south-west corners) of ``cell_size`` metres. The
    comparison is ``comparison_area`` with the target and its ring taken
    out, or whole when ``comparison_rest`` is False."""
    if (area is None) == (cells is None):
        raise HotspotError("give the target as an area or as cells, not both")
    before, after = windows(response_starts, months)
    name = geography.name_of(store, comparison_area)

    def request(code: str, period: list[str]) -> Request:
        return Request("counts", source, code, period[0], period[-1], kind=kind)

    def count(code: str, period: list[str]) -> int:
        return len(incidents(store, request(code, period), period[0], period[-1])[0])

    buffer = None
    apart = False
    if area is not None:
        apart = not set(geography.lsoas_in(store, area)) & set(
            geography.lsoas_in(store, comparison_area)
        )
        target = Place(count(area, before), count(area, after))
        comparison = Place(
            count(comparison_area, before), count(comparison_area, after)
        )
        if comparison_rest:
            comparison = _less(
                comparison,
                _overlap(store, area, comparison_area, name, count, before, after),
            )
    else:
        assert cells is not None
        target, buffer, comparison = _cell_counts(
            store, request, _Block.of(cells, cell_size), comparison_area,
            comparison_rest, before, after,
        )  # fmt: skip
    change = relative_change(target, comparison)
    wdq = (
        weighted_displacement_quotient(target, buffer, comparison)
        if buffer is not None
        else None
    )
    return Assessment(
        (before[0], before[-1]), (after[0], after[-1]),
        target, comparison, buffer, change.ratio, change.lower, change.upper, wdq,
        change.method, comparison_area, name, comparison_rest, apart,
    )  # fmt: skip


def _cell_counts(
    store: Store,
    request: Callable[[str, list[str]], Request],
    block: _Block,
    comparison_area: str,
    comparison_rest: bool,
    before: list[str],
    after: list[str],
) -> tuple[Place, Place, Place]:
    """Incidents in the target cells, in the ring and in the comparison."""

    def points(code: str, period: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return incidents(store, request(code, period), period[0], period[-1])

    periods = (before, after)
    compared = [points(comparison_area, period) for period in periods]
    # The cells may reach beyond the comparison area: their LSOAs there are
    # counted too, whatever area they lie in.
    outside = _lsoas_near(store, request(comparison_area, before), block, after[-1])
    outside -= set(geography.lsoas_in(store, comparison_area))
    counted = []
    for period, (x, y) in zip(periods, compared, strict=True):
        inside, around = block.tally(x, y)
        rest = len(x) - inside - around
        for lsoa in sorted(outside):
            more = block.tally(*points(lsoa, period))
            inside, around = inside + more[0], around + more[1]
        counted.append((inside, around, rest if comparison_rest else len(x)))
    (t0, b0, c0), (t1, b1, c1) = counted
    return Place(t0, t1), Place(b0, b1), Place(c0, c1)


def _less(whole: Place, part: Place) -> Place:
    return Place(whole.before - part.before, whole.after - part.after)


def _overlap(
    store: Store,
    area: str,
    comparison_area: str,
    name: str,
    count: Callable[[str, list[str]], int],
    before: list[str],
    after: list[str],
) -> Place:
    """The incidents of the comparison area that lie in the target area."""
    target = set(geography.lsoas_in(store, area))
    comparison = set(geography.lsoas_in(store, comparison_area))
    if not comparison - target:
        raise HotspotError(
            f"nothing of {name} is left to compare with once the target is "
            "taken out: choose a larger area"
        )
    shared = target & comparison
    if shared == target:
        return Place(count(area, before), count(area, after))
    return Place(
        sum(count(lsoa, before) for lsoa in sorted(shared)),
        sum(count(lsoa, after) for lsoa in sorted(shared)),
    )


def relative_change(
    target: Place, comparison: Place, confidence: float = CONFIDENCE
) -> RelativeChange:
    """The target's rate ratio (after over before) over the comparison's,
    with the exact conditional interval where a count is below
    ``SMALL_COUNT`` and the log-scale Wald interval otherwise.

    >>> change = relative_change(Place(1, 1), Place(1, 1))
    >>> change.method, round(change.lower, 4), round(change.upper, 2)
    ('exact', 0.0064, 156.25)
    """
    a, b = target.after, target.before
    c, d = comparison.after, comparison.before
    numerator, denominator = a * d, b * c
    if denominator:
        ratio = numerator / denominator
    else:
        ratio = math.inf if numerator else math.nan
    if min(a, b, c, d) < SMALL_COUNT:
        if 0 in (a + b, c + d, a + c, b + d):  # a margin of nothing: no information
            return RelativeChange(ratio, 0.0, math.inf, "exact")
        from scipy.stats.contingency import odds_ratio

        limits = odds_ratio([[a, b], [c, d]], kind="conditional").confidence_interval(
            confidence
        )
        return RelativeChange(ratio, float(limits.low), float(limits.high), "exact")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    spread = z * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return RelativeChange(
        ratio, ratio * math.exp(-spread), ratio * math.exp(spread), "wald"
    )


@dataclass(frozen=True)
class _Block:
    """A hot spot's cells and the ring of cells around them, as grid keys
    (x, y south-west corners over the cell size)."""

    target: frozenset[tuple[int, int]]
    ring: frozenset[tuple[int, int]]
    size: float

    @classmethod
    def of(cls, cells: list[str], size: float) -> _Block:
        corners = []
        for cell in cells:
            try:
                x, y = (float(part) for part in cell.split("-"))
            except ValueError:
                raise HotspotError(
                    f"{cell!r} is not a cell: write its corner as x-y"
                ) from None
            corners.append((x, y))
        target = {(round(x / size), round(y / size)) for x, y in corners}
        ring = {
            (cx + dx, cy + dy)
            for cx, cy in target
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
        } - target
        return cls(frozenset(target), frozenset(ring), size)

    def tally(self, x: np.ndarray, y: np.ndarray) -> tuple[int, int]:
        """How many of the points are in the target cells and in the ring."""
        keys = self.target | self.ring
        kx = np.floor(np.asarray(x) / self.size).astype(int)
        ky = np.floor(np.asarray(y) / self.size).astype(int)
        near = (
            (kx >= min(k[0] for k in keys)) & (kx <= max(k[0] for k in keys))
            & (ky >= min(k[1] for k in keys)) & (ky <= max(k[1] for k in keys))
        )  # fmt: skip
        inside = around = 0
        for key in zip(kx[near].tolist(), ky[near].tolist(), strict=True):
            inside += key in self.target
            around += key in self.ring
        return inside, around

    def degrees(self) -> tuple[float, float, float, float]:
        """West, south, east and north of the block and ring in degrees,
        with a margin for the grid's turn against the meridians."""
        from pyproj import Transformer

        keys = self.target | self.ring
        xs = (
            min(k[0] for k in keys) * self.size,
            (max(k[0] for k in keys) + 1) * self.size,
        )
        ys = (
            min(k[1] for k in keys) * self.size,
            (max(k[1] for k in keys) + 1) * self.size,
        )
        to_degrees = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        lons, lats = to_degrees.transform(
            [xs[0], xs[0], xs[1], xs[1]], [ys[0], ys[1], ys[0], ys[1]]
        )
        margin = 0.001  # about 70 to 110 m: more than the turn over a few cells
        return (
            min(lons) - margin, min(lats) - margin,
            max(lons) + margin, max(lats) + margin,
        )  # fmt: skip


def _lsoas_near(store: Store, request: Request, block: _Block, last: str) -> set[str]:
    """The LSOAs of the request's source's incidents (any kind) in a box
    around the block, from the request's first month to ``last``: the
    areas its cells reach into."""
    table = SOURCES[request.source][0]
    west, south, east, north = block.degrees()
    rows = store.query(
        f"SELECT DISTINCT lsoa_code FROM {table} WHERE month BETWEEN ? AND ? "
        "AND longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?",
        [request.first, last, west, east, south, north],
    ).to_pylist()
    return {
        str(row["lsoa_code"])
        for row in rows
        if row["lsoa_code"] and is_lsoa(str(row["lsoa_code"]))
    }
