"""Where incidents cluster: counts on a grid, kernel density, Getis-Ord Gi*
hot and cold spots with false-discovery-rate control, change between two
periods, and the classification of cells over consecutive periods.

Everything works on a regular grid of square cells in British National Grid
metres (EPSG:27700), the projected system for England and Wales. A cell is
named by its south-west corner: "406000-286000".

* **Counts**: incidents per cell (``grid_counts``).
* **Kernel density** (``kernel_density``): a Gaussian kernel, in incidents
  per square kilometre at each cell's centre. The default bandwidth is the
  normal-reference rule for two dimensions, h = sigma * n^(-1/6), where sigma
  is the root mean of the two coordinates' variances (Silverman 1986, eq.
  4.14 with d = 2). Points are binned to the grid and the kernel applied by
  FFT convolution, so a point is placed at its cell's centre: the result is
  exact for points at cell centres and otherwise within half a cell.
  ``dual_kernel_density`` divides one density by another (e.g. crimes by
  residents) with the same bandwidth.
* **Gi\\*** (``gi_star``): binary queen contiguity (the eight surrounding
  cells) including the cell itself; analytical z-scores as PySAL esda's
  ``G_Local(star=True, transform="B")``; two-sided normal p-values, or, where
  counts are small (``counts_are_small``) and by default there, conditional
  permutation inference (each cell's value held, its neighbours
  drawn at random from the other cells without replacement; folded pseudo
  p-values as esda's ``p_sim``, with ties counted as at least as extreme on
  either side, which counts on a grid have many of); Benjamini-Hochberg
  false discovery rate over all cells (``p_fdr``). A cell is **hot** when
  z > 0 and p_fdr < alpha and it holds an incident itself: Gi* tests a
  neighbourhood, and an empty cell beside busy ones belongs to their hot
  spot, not a hot spot of its own (a tasking group sent there would find
  nothing; an empty neighbourhood is never hot, whatever a p-value says).
  **Cold** when z < 0 and p_fdr < alpha.
* **Change** (``change``): each cell's count in two periods of equal length,
  the difference, and a two-sided exact test of it (the later count given
  the total is binomial with p = 1/2 when nothing changed).
* **Classification** (``classify``), after sfhotspot's ``hotspot_classify``:
  with the share of all periods in which a cell was a significant hot spot
  (``prop``), and the shares among the recent periods (the last
  ``recent_prop`` of them, at least one) and the older ones:
  persistent when prop >= 0.8; else emerging when older < 0.1 and recent >=
  ``recent_prop``; else former when older >= 0.1 and recent < 0.1; else
  intermittent when prop >= 0.1; else none. Cold spots alike; a cell with a
  hot and a cold pattern is "mixed". (sfhotspot counts one period too many as
  recent when summing; here exactly the recent periods are counted.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal, stats

BNG = "EPSG:27700"
QUEEN = np.ones((3, 3))
Floats = NDArray[np.float64]


@cache
def _to_bng() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", BNG, always_xy=True)


def to_bng(longitude: Any, latitude: Any) -> tuple[Floats, Floats]:
    """WGS84 longitude and latitude -> British National Grid metres."""
    x, y = _to_bng().transform(np.asarray(longitude), np.asarray(latitude))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@cache
def _from_bng() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(BNG, "EPSG:4326", always_xy=True)


def to_wgs84(x: Any, y: Any) -> tuple[Floats, Floats]:
    """British National Grid metres -> WGS84 longitude and latitude."""
    lon, lat = _from_bng().transform(np.asarray(x), np.asarray(y))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@dataclass(frozen=True)
class Grid:
    """Square cells of ``cell`` metres; column 0, row 0 at (x0, y0)."""

    x0: float
    y0: float
    cell: float
    columns: int
    rows: int

    @classmethod
    def covering(cls, x: Floats, y: Floats, cell: float) -> Grid:
        """The smallest grid on multiples of ``cell`` holding every point."""
        if cell <= 0:
            raise ValueError("the cell size must be positive")
        if len(x) == 0:
            raise ValueError("no points to put on a grid")
        x0 = math.floor(float(np.min(x)) / cell) * cell
        y0 = math.floor(float(np.min(y)) / cell) * cell
        columns = math.floor((float(np.max(x)) - x0) / cell) + 1
        rows = math.floor((float(np.max(y)) - y0) / cell) + 1
        return cls(x0, y0, cell, columns, rows)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.rows, self.columns)

    def cell_of(self, x: Floats, y: Floats) -> NDArray[np.int64]:
        """Each point's cell (row * columns + column), -1 off the grid."""
        column = np.floor((np.asarray(x) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y) - self.y0) / self.cell).astype(np.int64)
        inside = (column >= 0) & (column < self.columns) & (row >= 0)
        inside &= row < self.rows
        return np.where(inside, row * self.columns + column, -1)

    def centres(self) -> tuple[Floats, Floats]:
        """Cell centres, each shaped like the grid."""
        xs = self.x0 + (np.arange(self.columns) + 0.5) * self.cell
        ys = self.y0 + (np.arange(self.rows) + 0.5) * self.cell
        x, y = np.meshgrid(xs, ys)
        return x, y

    def cell_ids(self) -> NDArray[np.str_]:
        """ "x-y" of each cell's south-west corner, shaped like the grid."""
        x, y = self.centres()
        half = self.cell / 2
        return np.char.add(
            np.char.add((x - half).round().astype(np.int64).astype(str), "-"),
            (y - half).round().astype(np.int64).astype(str),
        )


def grid_counts(grid: Grid, x: Floats, y: Floats) -> NDArray[np.int64]:
    """Points per cell, shaped like the grid (points off it are dropped)."""
    cells = grid.cell_of(x, y)
    counted = np.bincount(cells[cells >= 0], minlength=grid.rows * grid.columns)
    return counted.reshape(grid.shape)


def default_bandwidth(x: Floats, y: Floats) -> float:
    """The normal-reference rule for two dimensions (see the module docs)."""
    n = len(x)
    if n < 2:
        raise ValueError("a bandwidth needs at least two points")
    sigma = math.sqrt((float(np.var(x, ddof=1)) + float(np.var(y, ddof=1))) / 2)
    if sigma == 0:
        raise ValueError("every point is in the same place: give a bandwidth")
    return float(sigma * n ** (-1 / 6))


def kernel_density(
    grid: Grid,
    x: Floats,
    y: Floats,
    bandwidth: float | None = None,
    weights: Floats | None = None,
) -> Floats:
    """Incidents per square kilometre at each cell centre (module docs)."""
    h = bandwidth if bandwidth is not None else default_bandwidth(x, y)
    if h <= 0:
        raise ValueError("the bandwidth must be positive")
    cells = grid.cell_of(x, y)
    keep = cells >= 0
    mass = np.bincount(
        cells[keep],
        weights=None if weights is None else np.asarray(weights)[keep],
        minlength=grid.rows * grid.columns,
    ).reshape(grid.shape)
    reach = max(1, math.ceil(4 * h / grid.cell))  # the kernel beyond 4h is < 3e-4
    offsets = np.arange(-reach, reach + 1) * grid.cell
    dx, dy = np.meshgrid(offsets, offsets)
    kernel = np.exp(-(dx**2 + dy**2) / (2 * h * h)) / (2 * math.pi * h * h)
    density = signal.fftconvolve(mass.astype(float), kernel, mode="same")
    per_km2: Floats = np.clip(density, 0, None) * 1e6  # per m^2 -> per km^2
    return per_km2


def dual_kernel_density(
    grid: Grid,
    numerator: tuple[Floats, Floats, Floats | None],
    denominator: tuple[Floats, Floats, Floats | None],
    bandwidth: float,
) -> Floats:
    """One density over another with the same bandwidth (crimes per
    resident); NaN where the denominator's density is nil."""
    top = kernel_density(grid, *numerator[:2], bandwidth, numerator[2])
    bottom = kernel_density(grid, *denominator[:2], bandwidth, denominator[2])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 1e-12, top / bottom, np.nan)


# The fewest permutations drawn where counts are small (esda's default).
PERMUTATIONS = 999
# The most: enough for one cell of 5,000 to pass the false discovery rate.
MOST_PERMUTATIONS = 99_999
# Counts are small when the area's mean count per cell is below this. A
# cell's neighbourhood (nine cells) then expects fewer than 45 incidents,
# and its sum is a skewed count whose upper tail the normal approximation
# understates: a Poisson count of mean 45 reaches 67 with probability 0.0013,
# the normal curve says 0.0005 (2.5 times too rare); of mean 5, 13 with
# 0.0020 against 0.00017 (12 times). Gi*'s hot spots are the cells in that
# tail, so on sparse counts (a district's serious road collisions, one
# type of crime) the normal approximation calls chance clusters hot, and
# the conditional permutation test, which needs no shape, is used instead.
SMALL_MEAN_COUNT = 5.0


def counts_are_small(counts: Any) -> bool:
    """Whether the mean count per cell is below SMALL_MEAN_COUNT (above)."""
    return float(np.mean(counts)) < SMALL_MEAN_COUNT


def permutations_for(cells: int, alpha: float) -> int:
    """Enough permutations for a cluster to be found among ``cells``: the
    smallest pseudo p-value is 1 / (P + 1), and the false discovery rate
    passes the most extreme cell only below alpha / cells, so with 999 on a
    district's 400 cells even a junction with twelve collisions could not
    be hot. Rounded up to 1,000s (less 1), from PERMUTATIONS to
    MOST_PERMUTATIONS."""
    needed = math.ceil(cells / alpha / 1000) * 1000 - 1
    return min(max(PERMUTATIONS, needed), MOST_PERMUTATIONS)


@dataclass(frozen=True)
class GiStar:
    """Gi* per cell, each array shaped like the grid (NaN off the area)."""

    z: Floats
    p: Floats  # two-sided, from the normal approximation
    p_sim: Floats | None  # folded pseudo p-value from permutations
    p_fdr: Floats  # Benjamini-Hochberg over the cells of the area
    alpha: float
    # Whether the cell holds an incident (only such a cell is called hot).
    occupied: NDArray[np.bool_]

    @property
    def hot(self) -> NDArray[np.bool_]:
        return (self.z > 0) & (self.p_fdr < self.alpha) & self.occupied

    @property
    def cold(self) -> NDArray[np.bool_]:
        return (self.z < 0) & (self.p_fdr < self.alpha)


def gi_star(
    values: Any,
    mask: Any = None,
    permutations: int | None = None,
    alpha: float = 0.05,
    seed: int | None = 0,
) -> GiStar:
    """Getis-Ord Gi* of the counts ``values`` on a grid (module docs).
    ``mask`` marks the cells of the area (all by default); cells off it are
    neither observations nor neighbours. ``permutations``: None (the
    default) draws ``permutations_for`` the area's cells where counts are
    small and none otherwise; 0 asks for the normal approximation whatever
    the counts. The fixed
    default ``seed`` makes a report drawn twice read the same.

    >>> counts = np.zeros((9, 9))
    >>> counts[4, 4] = 2  # two incidents in one cell of 81: no hot spot
    >>> result = gi_star(counts)
    >>> result.p_sim is not None, bool(result.hot.any())
    (True, False)
    """
    y = np.asarray(values, dtype=float)
    inside = np.ones(y.shape, bool) if mask is None else np.asarray(mask, bool)
    n = int(inside.sum())
    if n < 3:
        raise ValueError("Gi* needs at least three cells")
    y = np.where(inside, y, 0.0)
    observed = y[inside]
    mean = float(observed.mean())
    spread = math.sqrt(max(float((observed**2).mean()) - mean * mean, 0.0))
    sums = ndimage.convolve(y, QUEEN, mode="constant")
    cardinality = ndimage.convolve(inside.astype(float), QUEEN, mode="constant")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (sums - mean * cardinality) / (
            spread * np.sqrt(cardinality * (n - cardinality) / (n - 1))
        )
    z = np.where(inside, z, np.nan)
    p = np.where(inside, 2 * stats.norm.sf(np.abs(z)), np.nan)
    if permutations is None:
        small = counts_are_small(observed)
        permutations = permutations_for(n, alpha) if small else 0
    p_sim = None
    if permutations:
        p_sim = np.full(y.shape, np.nan)
        p_sim[inside] = _permutation_p(
            observed,
            sums[inside],
            cardinality[inside].astype(int),
            permutations,
            np.random.default_rng(seed),
        )
    tested = p_sim if p_sim is not None else p
    p_fdr = np.full(y.shape, np.nan)
    p_fdr[inside] = stats.false_discovery_control(
        np.nan_to_num(tested[inside], nan=1.0), method="bh"
    )
    return GiStar(z, p, p_sim, p_fdr, alpha, inside & (y > 0))


# Above this many distinct (value, neighbours) pairs, cells share one null
# distribution per number of neighbours (see _permutation_p).
MOST_GROUPS = 5_000


def _permutation_p(
    observed: Floats,
    sums: Floats,
    cardinality: NDArray[np.int64],
    permutations: int,
    rng: np.random.Generator,
) -> Floats:
    """Conditional randomisation: each cell keeps its value; its k - 1
    neighbours are drawn without replacement from the other cells.

    Cells with the same value and number of neighbours share one null
    distribution, so nulls are built once per (value, k), not once per cell:
    counts on a grid take few values. The neighbours' positions are drawn
    once per k and shared by the values (as esda shares one set of
    permutations among all its cells), each value's own place in the pool
    skipped. When values are many (rates, jittered
    counts) and there are more than MOST_GROUPS pairs, cells share one null
    per k drawn from all cells; leaving the cell itself in the pool changes
    a p-value by about k / n (under 1e-4 on a city's grid), far inside its
    Monte Carlo error."""
    n = len(observed)
    keys = np.stack([observed, cardinality.astype(float)], axis=1)
    groups, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    pool = np.sort(observed, kind="stable")
    p_sim = np.empty(n)
    if len(groups) > MOST_GROUPS:
        for k in np.unique(cardinality):
            members = np.flatnonzero(cardinality == k)
            drawn = _distinct_draws(rng, permutations, int(k) - 1, n)
            neighbours = np.sort(pool[drawn].sum(axis=1))
            p_sim[members] = _folded(
                neighbours, sums[members] - observed[members], permutations
            )
        return p_sim
    positions: dict[int, NDArray[np.int64]] = {}
    for index, (value, k) in enumerate(groups):
        members = np.flatnonzero(inverse == index)
        # One occurrence of the value is the cell itself: leave it out.
        own = int(np.searchsorted(pool, value))
        if int(k) not in positions:
            positions[int(k)] = _distinct_draws(rng, permutations, int(k) - 1, n - 1)
        drawn = positions[int(k)]
        drawn = drawn + (drawn >= own)
        null = np.sort(value + pool[drawn].sum(axis=1))
        p_sim[members] = _folded(null, sums[members], permutations)
    return p_sim


def _folded(null: Floats, observed: Floats, permutations: int) -> Floats:
    """The rarer tail's pseudo p-value against a sorted null, a tie counting
    as at least as extreme on either side (counts tie often; esda's floating
    point splits ties arbitrarily, so it is compared on values without)."""
    at_least = permutations - np.searchsorted(null, observed - 1e-9, "left")
    at_most = np.searchsorted(null, observed + 1e-9, "right")
    folded: Floats = (np.minimum(at_least, at_most) + 1) / (permutations + 1)
    return folded


def _distinct_draws(
    rng: np.random.Generator, rows: int, k: int, n: int
) -> NDArray[np.int64]:
    """``rows`` draws of ``k`` distinct indices below ``n``."""
    if k <= 0:
        return np.zeros((rows, 0), np.int64)
    if k > n:
        raise ValueError("more neighbours than cells")
    drawn = rng.integers(0, n, size=(rows, k))
    while True:
        ordered = np.sort(drawn, axis=1)
        repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not repeated.any():
            return drawn
        drawn[repeated] = rng.integers(0, n, size=(int(repeated.sum()), k))


@dataclass(frozen=True)
class Change:
    before: NDArray[np.int64]
    after: NDArray[np.int64]
    difference: NDArray[np.int64]
    p: Floats  # exact two-sided test of "no change" per cell


def change(before: Any, after: Any) -> Change:
    """Each cell's count in two periods of equal length, and whether the
    difference is more than chance: given the total, the later count is
    binomial with p = 1/2 if nothing changed."""
    first = np.asarray(before, dtype=np.int64)
    second = np.asarray(after, dtype=np.int64)
    total = first + second
    low = np.minimum(first, second)
    p = np.minimum(1.0, 2 * stats.binom.cdf(low, total, 0.5))
    p = np.where(total == 0, 1.0, p)
    return Change(first, second, second - first, p)


CLASSES = ("persistent", "emerging", "former", "intermittent")


def classify(
    hot: Any,
    cold: Any,
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
) -> NDArray[np.str_]:
    """Each cell's pattern over consecutive periods (module docs) from
    boolean arrays shaped (periods, ...): "persistent hotspot", "emerging
    coldspot", "mixed", "none", ..."""
    hot_periods = np.asarray(hot, bool)
    cold_periods = np.asarray(cold, bool)
    periods = hot_periods.shape[0]
    recent = max(1, math.floor(recent_prop * periods))
    if periods - recent < 1:
        raise ValueError("classification needs at least two periods")
    hot_class = _pattern(
        hot_periods, recent, hotspot_prop, persistent_prop, recent_prop, "hotspot"
    )
    cold_class = _pattern(
        cold_periods, recent, hotspot_prop, persistent_prop, recent_prop, "coldspot"
    )
    both = (hot_class != "none") & (cold_class != "none")
    return np.where(both, "mixed", np.where(hot_class != "none", hot_class, cold_class))


def _pattern(
    significant: NDArray[np.bool_],
    recent: int,
    hotspot_prop: float,
    persistent_prop: float,
    recent_prop: float,
    kind: str,
) -> NDArray[np.str_]:
    share = significant.mean(axis=0)
    recent_share = significant[-recent:].mean(axis=0)
    older_share = significant[:-recent].mean(axis=0)
    return np.select(
        [
            share >= persistent_prop,
            (older_share < hotspot_prop) & (recent_share >= recent_prop),
            (older_share >= hotspot_prop) & (recent_share < hotspot_prop),
            share >= hotspot_prop,
        ],
        [f"{name} {kind}" for name in CLASSES],
        default="none",
    )
