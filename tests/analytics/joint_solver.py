"""A joint fitting attacker: one ward and one financial year at a time, with
every nesting the publication lattice has (issue 26, ADR 0007).

``solvers.py`` fits one area's series at a time, so it models only the time
nesting (months in quarters in years). The public also sees a ward as the
sum of its LSOAs, each LSOA's cells published or withheld on their own, and
a total as the sum of its breakdown's groups. Here the unknowns (**atoms**)
are the true counts of one ward-year's LSOA x month x group cells (groups:
every category of one breakdown and "not recorded", or one total group,
``ALL``), and the observations are every public cell over them:
``results.series`` for the ward and for each of its LSOAs, by month, quarter
and year, with and without the breakdown. A total cell sums over all groups,
a group cell over one; a ward cell over its LSOAs. Withheld partial periods
(withheld for being partial, not for their count) and rolling years (sums of
published quarters, no noise draw of their own) carry no evidence and are
left out. ``joint_any_window`` gives the old interface instead: every run of
months inside the year, each its own cell, for the ward and its LSOAs (the
control).

**The model.** The attacker knows the documented noise
(``solvers.NoiseModel.documented``: P(published | true sum), each cell's
noise independent given its sum, as without the layout it must assume) and
has a prior per atom: the histogram of the store's true LSOA-month counts of
that atom's group, over every LSOA and month of the store (zeros counted),
smoothed by half a count on every value from 0 to the largest count plus 10
(``solvers.prior_from_counts``). The atoms are independent a priori. Taking
the prior from the store's own truth is generous to the attacker (it knows
the distribution exactly, and that "not recorded" is nearly always 0).

**The solver: blocked Gibbs sampling.** Exact enumeration is out of reach
(a ward-year by sex has 288 atoms over some 1,700 overlapping sums), and
loopy belief propagation gives no guarantee on these short loops (a month is
in eight sums that also share other atoms), so the solver samples. Single
atom moves mix badly under sums published almost exactly (half the noise
is 0), so each move redraws a **block** of atoms jointly from its exact full
conditional: one LSOA's and group's 12 months (months in quarters in the
year), one month's and group's LSOAs (in the ward), or one LSOA-month's
groups (in the total). Given the atoms outside the block, every cell
restricted to a block is one atom, a nested part or the whole block (a
laminar family: a tree), so the block is drawn exactly by summing up the
tree (each node's sum distribution: its parts convolved, times its cells'
likelihoods at sum + the rest of the cell, held fixed) and sampling down
it. A block whose restricted cells overlap without nesting (the any-window
control's runs of months) falls back to one atom at a time. Several chains
start from the prior, run a soft burn-in (a cell's likelihood off its
support is ``eps``, halving with each count away, so a chain can start
anywhere and is led to the support), then exact sweeps until every chain
satisfies every cell, a burn-in, and the draws. Each atom's posterior is
Rao-Blackwellised: the average over draws of its single-atom full
conditional (exact given the other atoms). A sum of atoms (a ward-month)
is estimated from the draws. The Monte Carlo standard error of a
posterior is the spread of the chains' own estimates over sqrt(chains).
``test_joint_attack.py`` checks the marginals against
``solvers.likelihood_solver``'s exact ones.

**The baseline.** Each month cell's posterior from its own published answer
alone with the prior of its sum (the atom priors convolved): what a reader
learns from that one figure.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from saferplaces.analytics import geography, results
from saferplaces.analytics.measures.registry import get_measure
from saferplaces.analytics.measures.series import (
    financial_quarter,
    financial_year,
    lsoa_month_counts,
    measure_months,
    measure_series,
)
from saferplaces.analytics.perturbation import PTable
from saferplaces.analytics.store import Store
from tests.analytics.solvers import PINNED, NoiseModel, Problem, prior_from_counts

# The one group of a ward-year without a breakdown.
ALL = "(all)"
# A total over every group of a breakdown, in a cell's name.
TOTAL = "(total)"

Atom = tuple[str, str, object]  # (LSOA, month, group)


# -- the ward-year problems --------------------------------------------------


@dataclass
class WardYear:
    """One ward-year: atoms (LSOA, month, group), every cell the interface
    answered over them (``problem.observations``), and the truth."""

    problem: Problem
    ward: str
    year: str
    lsoas: list[str]
    months: list[str]
    groups: list[object]
    # The breakdown asked (None: totals only, one group ``ALL``).
    breakdown: str | None
    refused: int = 0

    @property
    def name(self) -> str:
        return self.problem.name

    def atoms_of(self, area: str, months: Sequence[str], group: object) -> list[Atom]:
        """The atoms a cell sums: ``area`` the ward or an LSOA, ``group`` one
        group or ``TOTAL``."""
        lsoas = self.lsoas if area == self.ward else [area]
        groups = self.groups if group == TOTAL else [group]
        return [(a, m, g) for a in lsoas for m in months for g in groups]

    def targets(self) -> list[Target]:
        """Every month cell (an LSOA's or the ward's, a group's or the
        total) with its own published answer: what is scored."""
        own = {frozenset(o.atoms): o for o in self.problem.observations}
        found = []
        groups = self.groups if self.breakdown is None else [*self.groups, TOTAL]
        for month in self.months:
            for area in [*self.lsoas, self.ward]:
                for group in groups:
                    atoms = self.atoms_of(area, [month], group)
                    cell = own.get(frozenset(atoms))
                    if cell is None:
                        continue
                    kind = ("ward" if area == self.ward else "lsoa") + "-month"
                    if group != TOTAL and self.breakdown is not None:
                        kind += "-group"
                    name = group if self.breakdown is not None else ""
                    found.append(
                        Target(
                            f"{area} {month} {name}".strip(), kind, tuple(atoms),
                            cell.published,
                            sum(self.problem.counts[a] for a in atoms),
                        )
                    )  # fmt: skip
        return found


@dataclass(frozen=True)
class Target:
    """A month cell to score: its atoms, own answer and true count."""

    label: str
    kind: str
    atoms: tuple[Atom, ...]
    published: int | None
    truth: int


def _truth(
    store: Store, measure_id: str, lsoas: list[str], breakdown: str | None
) -> dict[Atom, int]:
    counts = lsoa_month_counts(store, get_measure(measure_id), breakdown, None)
    inside = set(lsoas)
    found: dict[Atom, int] = defaultdict(int)
    for row in counts.to_pylist():
        if row["lsoa_code"] in inside:
            group = ALL if breakdown is None else row["grp"]
            group = None if group is None else str(group)
            found[(row["lsoa_code"], str(row["month"]), group)] += int(row["n"])
    return found


class _Years:
    """A ward's ward-years, made as cells arrive."""

    def __init__(
        self, store: Store, measure_id: str, ward: str, breakdown: str | None
    ) -> None:
        self.ward = ward
        self.breakdown = breakdown
        self.lsoas = sorted(geography.lsoas_in(store, ward))
        self.months = measure_months(store, get_measure(measure_id), None)
        self.truth = _truth(store, measure_id, self.lsoas, breakdown)
        self.groups: list[object] = [ALL] if breakdown is None else []
        self.name = f"{measure_id} {ward}" + (f" by {breakdown}" if breakdown else "")
        self.years: dict[str, WardYear] = {}

    def set_groups(self, groups: Iterable[object]) -> None:
        if self.breakdown is not None:
            known = {g for (_, _, g) in self.truth} | set(groups)
            self.groups = sorted(known, key=lambda g: (g is None, str(g)))

    def year(self, label: str) -> WardYear:
        if label not in self.years:
            months = [m for m in self.months if financial_year(m) == label]
            atoms = [
                (lsoa, m, g) for lsoa in self.lsoas for m in months for g in self.groups
            ]
            counts = {a: self.truth.get(a, 0) for a in atoms}
            problem = Problem(
                f"{self.name} {label}", atoms, [], counts, dict.fromkeys(atoms, 0)
            )
            self.years[label] = WardYear(
                problem, self.ward, label, self.lsoas, months, self.groups,
                self.breakdown,
            )  # fmt: skip
        return self.years[label]

    def add(self, area: str, months: list[str], group: object, published: int | None,
            label: str) -> None:  # fmt: skip
        ward_year = self.year(financial_year(months[0]))
        ward_year.problem.add(ward_year.atoms_of(area, months, group), published, label)


def joint_lattice(
    store: Store,
    measure_id: str,
    ward: str,
    rules: results.Rules,
    breakdown: str | None = None,
) -> list[WardYear]:
    """Every cell ``results.series`` answers the public for the ward and each
    of its LSOAs, by month, quarter and year, without the breakdown and (if
    one is given) with it; one ``WardYear`` per financial year."""
    years = _Years(store, measure_id, ward, breakdown)
    asks: list[tuple[str, str, str | None]] = [
        (area, by, grouping)
        for area in [ward, *years.lsoas]
        for by in ("month", "quarter", "year")
        for grouping in ([None] if breakdown is None else [None, breakdown])
    ]
    answers = []
    for area, by, grouping in asks:
        rows = results.series(
            store, measure_id, area, by=by, group=grouping, audience="public",
            rules=rules,
        ).rows  # fmt: skip
        answers.append((area, by, grouping, rows))
    years.set_groups(
        row.group for _, _, grouping, rows in answers if grouping for row in rows
    )
    label_of = {"month": str, "quarter": financial_quarter, "year": financial_year}
    for area, by, grouping, rows in answers:
        for row in rows:
            if by != "month" and row.partial and row.withheld:
                continue  # withheld for being partial: no evidence
            months = [m for m in years.months if label_of[by](m) == row.period]
            group = TOTAL if grouping is None and breakdown else (
                ALL if grouping is None else row.group
            )  # fmt: skip
            published = None if row.withheld else round(row.numerator or 0)
            name = "" if group in (ALL, TOTAL) else f" {group}"
            years.add(area, months, group, published, f"{area} {row.period}{name}")
    return list(years.years.values())


def joint_any_window(
    store: Store,
    measure_id: str,
    ward: str,
    ptable: PTable,
    breakdown: str | None = None,
    *,
    year: str | None = None,
) -> list[WardYear]:
    """The old public interface for the ward and each of its LSOAs: every run
    of months inside each financial year (``by="year"``, ``first``, ``last``,
    the engine with ``lattice=False``, as ``solvers.any_window``), each its
    own perturbed cell; without the breakdown and (if given) with it. Only
    ``year`` if given."""
    years = _Years(store, measure_id, ward, breakdown)
    runs: dict[str, list[str]] = defaultdict(list)
    for month in years.months:
        runs[financial_year(month)].append(month)
    answers = []
    for label, months in runs.items():
        if year is not None and label != year:
            continue
        for first in range(len(months)):
            for last in range(first, len(months)):
                run = months[first : last + 1]
                for area in [ward, *years.lsoas]:
                    for grouping in [None] if breakdown is None else [None, breakdown]:
                        points = measure_series(
                            store, measure_id, area, by="year", group=grouping,
                            first=run[0], last=run[-1], publishing=ptable,
                            lattice=False,
                        )  # fmt: skip
                        answers.append((area, run, grouping, points))
    years.set_groups(
        p.group for _, _, grouping, points in answers if grouping for p in points
    )
    for area, run, grouping, points in answers:
        for point in points:
            group = TOTAL if grouping is None and breakdown else (
                ALL if grouping is None else point.group
            )  # fmt: skip
            published = None if point.suppressed else round(point.numerator or 0)
            name = "" if group in (ALL, TOTAL) else f" {group}"
            years.add(
                area, run, group, published, f"{area} {run[0]} to {run[-1]}{name}"
            )
    return list(years.years.values())


def group_priors(
    store: Store, measure_id: str, breakdown: str | None
) -> dict[object, npt.NDArray[np.float64]]:
    """{group: prior of one LSOA-month's count of that group} (the module
    docstring), every prior over the same 0 to top."""
    measure = get_measure(measure_id)
    months = measure_months(store, measure, None)
    lsoas = [area.code for area in geography.areas_of_level(store, "lsoa")]
    cells: dict[tuple[str, str, object], int] = defaultdict(int)
    known = set(lsoas)
    for row in lsoa_month_counts(store, measure, breakdown, None).to_pylist():
        if row["lsoa_code"] in known:
            group = ALL if breakdown is None else row["grp"]
            group = None if group is None else str(group)
            cells[(row["lsoa_code"], str(row["month"]), group)] += int(row["n"])
    groups = {g for (_, _, g) in cells} or {ALL}
    top = max(cells.values(), default=0) + 10
    found = {}
    for group in groups:
        counts = [n for (_, _, g), n in cells.items() if g == group]
        zeros = len(lsoas) * len(months) - len(counts)
        found[group] = prior_from_counts([*counts, *[0] * zeros], top)
    # A category never recorded anywhere: as rare as the data allow.
    found[_NEVER] = prior_from_counts([0] * (len(lsoas) * len(months)), top)
    return found


_NEVER = "(never recorded)"


def atom_priors(
    ward_year: WardYear, priors: dict[object, npt.NDArray[np.float64]]
) -> npt.NDArray[np.float64]:
    """Each atom's prior (rows in the problem's atom order)."""
    return np.stack(
        [priors.get(g, priors[_NEVER]) for (_, _, g) in ward_year.problem.atoms]
    )


def default_blocks(ward_year: WardYear) -> list[list[int]]:
    """Time blocks (an LSOA's and group's months), geography blocks (a
    month's and group's LSOAs) and breakdown blocks (an LSOA-month's
    groups), as atom indices."""
    index = {atom: i for i, atom in enumerate(ward_year.problem.atoms)}
    w = ward_year
    return [
        *([index[(a, m, g)] for m in w.months] for a in w.lsoas for g in w.groups),
        *([index[(a, m, g)] for a in w.lsoas] for m in w.months for g in w.groups),
        *([index[(a, m, g)] for g in w.groups] for a in w.lsoas for m in w.months),
    ]


# -- the likelihood of each cell ---------------------------------------------


class _Cells:
    """Each cell's likelihood P(published | true sum s) on its support (an
    interval ``lo`` to ``lo + length - 1``; 0 elsewhere), looked up for
    arrays of cells and sums; ``soft``: ``eps`` off the support, halving
    with each count away."""

    def __init__(
        self, published: Sequence[int | None], noise: NoiseModel, eps: float = 1e-6
    ) -> None:
        largest = max(noise.chances)
        rows = [_support(p, noise, largest) for p in published]
        self.lo = np.array([lo for lo, _ in rows], dtype=np.int64)
        self.length = np.array([len(r) for _, r in rows], dtype=np.int64)
        width = int(self.length.max()) + 1
        self.table = np.zeros((len(rows), width))
        for i, (_, row) in enumerate(rows):
            self.table[i, : len(row)] = row
        self.eps = eps

    def __call__(
        self,
        cells: npt.NDArray[np.int64],
        sums: npt.NDArray[np.int64],
        soft: bool = False,
    ) -> npt.NDArray[np.float64]:
        j = sums - self.lo[cells]
        length = self.length[cells]
        inside = (j >= 0) & (j < length)
        found = self.table[cells, np.where(inside, j, -1)]
        if not soft:
            return found
        away = np.minimum(np.where(j < 0, -j, j - length + 1), 60)
        return np.where(inside, found, self.eps * 0.5**away)


@functools.lru_cache(maxsize=4096)
def _support_cached(
    published: int | None, chances: tuple[tuple[int, float], ...], threshold: int
) -> tuple[int, tuple[float, ...]]:
    noise = NoiseModel(dict(chances), threshold)
    largest = max(noise.chances)
    top = (threshold if published is None else published) + largest
    chance = noise.likelihood(published, top)
    nonzero = np.flatnonzero(chance > 0)
    lo, hi = int(nonzero[0]), int(nonzero[-1])
    if not (chance[lo : hi + 1] > 0).all():
        raise AssertionError("a cell's likelihood is not an interval")
    return lo, tuple(chance[lo : hi + 1].tolist())


def _support(
    published: int | None, noise: NoiseModel, largest: int
) -> tuple[int, npt.NDArray[np.float64]]:
    lo, row = _support_cached(
        published, tuple(sorted(noise.chances.items())), noise.threshold
    )
    return lo, np.array(row)


# -- blocks: exact draws on a tree of nested sums ----------------------------


@dataclass
class _Node:
    """A sum inside a block: its atoms, the cells whose restriction to the
    block is exactly these atoms, and its parts (indices of nodes, leaves
    first)."""

    atoms: npt.NDArray[np.int64]
    cells: npt.NDArray[np.int64]
    children: list[int]


@dataclass
class _Block:
    """A block's tree: its single atoms (leaves, drawn together) and its
    sums (nodes after the leaves, parts before their totals, the root
    last)."""

    atoms: npt.NDArray[np.int64]
    # Leaves: their atoms, and their cells padded (mask False) to one width.
    leaf_cells: npt.NDArray[np.int64]
    leaf_mask: npt.NDArray[np.bool_]
    sums: list[_Node]


def _plan(
    block: Sequence[int], cells_of: list[list[int]], atoms_of: list[frozenset[int]]
) -> list[_Block]:
    """The tree of a block's restricted cells, or (when they overlap without
    nesting) one block per atom."""
    members = frozenset(block)
    restricted: dict[frozenset[int], list[int]] = defaultdict(list)
    for cell in sorted({c for a in block for c in cells_of[a]}):
        restricted[atoms_of[cell] & members].append(cell)
    leaves = sorted(block)
    sums = sorted(
        (set(restricted) | {members}) - {frozenset([a]) for a in leaves},
        key=lambda s: (len(s), sorted(s)),
    )
    ordered = [frozenset([a]) for a in leaves] + sums
    if not all(a <= b or b <= a or not a & b for i, a in enumerate(ordered)
               for b in ordered[:i]):  # fmt: skip
        if len(block) == 1:
            raise AssertionError("one atom's cells cannot overlap")
        return [b for a in block for b in _plan([a], cells_of, atoms_of)]
    nodes = [
        _Node(np.array(sorted(s), dtype=np.int64),
              np.array(restricted.get(s, []), dtype=np.int64), [])
        for s in ordered
    ]  # fmt: skip
    for i, s in enumerate(ordered):
        holders = [j for j in range(len(leaves), len(ordered)) if s < ordered[j]]
        if holders:
            nodes[min(holders, key=lambda j: len(ordered[j]))].children.append(i)
    width = max(len(nodes[i].cells) for i in range(len(leaves)))
    leaf_cells = np.zeros((len(leaves), max(width, 1)), dtype=np.int64)
    leaf_mask = np.zeros(leaf_cells.shape, dtype=bool)
    for i in range(len(leaves)):
        cells = nodes[i].cells
        leaf_cells[i, : len(cells)] = cells
        leaf_mask[i, : len(cells)] = True
    return [
        _Block(np.array(leaves, dtype=np.int64), leaf_cells, leaf_mask,
               nodes[len(leaves) :])
    ]  # fmt: skip


Dist = tuple[int, npt.NDArray[np.float64]]  # (lowest count, rows: chains)


def _convolve(a: Dist, b: Dist) -> Dist:
    """Row by row (one row a chain): the distribution of a sum."""
    (lo_a, da), (lo_b, db) = a, b
    if da.shape[1] > db.shape[1]:
        da, db = db, da
    index = _shifts(da.shape[1], db.shape[1])
    padded = np.concatenate([db, np.zeros((len(db), 1))], axis=1)
    return lo_a + lo_b, np.einsum("cwk,ck->cw", padded[:, index], da)


@functools.lru_cache(maxsize=1024)
def _shifts(n: int, m: int) -> npt.NDArray[np.int64]:
    """index[w, k] = w - k where 0 <= w - k < m, else m (a zero column)."""
    w = np.arange(n + m - 1)[:, None] - np.arange(n)[None, :]
    return np.where((w >= 0) & (w < m), w, m)


def _trim(lo: int, dist: npt.NDArray[np.float64]) -> Dist:
    """Drop the counts no chain allows; each row scaled to a largest of 1."""
    live = np.flatnonzero(dist.any(axis=0))
    if not len(live):
        raise AssertionError("a block has no consistent count")
    dist = dist[:, live[0] : live[-1] + 1]
    return lo + int(live[0]), dist / np.maximum(dist.max(axis=1, keepdims=True), 1e-300)


def _exp(logs: npt.NDArray[np.float64], axis: int) -> npt.NDArray[np.float64]:
    """exp(logs), scaled along ``axis`` to a largest of 1 (0 where -inf)."""
    top = logs.max(axis=axis, keepdims=True)
    return np.exp(logs - np.where(np.isfinite(top), top, 0.0))


def _pick(
    weights: npt.NDArray[np.float64], rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """One column per row, with chance proportional to the row's weights."""
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative < draw[:, None]).sum(axis=1), weights.shape[1] - 1)


class _Sampler:
    """Chains of blocked Gibbs over the atoms (rows: chains)."""

    def __init__(
        self,
        problem: Problem,
        priors: npt.NDArray[np.float64],
        noise: NoiseModel,
        blocks: Sequence[Sequence[int]],
        chains: int,
        rng: np.random.Generator,
    ) -> None:
        order = {atom: i for i, atom in enumerate(problem.atoms)}
        self.cell_atoms = [
            np.array([order[a] for a in o.atoms], dtype=np.int64)
            for o in problem.observations
        ]
        atoms_of = [frozenset(c.tolist()) for c in self.cell_atoms]
        cells_of: list[list[int]] = [[] for _ in problem.atoms]
        for c, members in enumerate(self.cell_atoms):
            for a in members:
                cells_of[a].append(c)
        self.cells = _Cells([o.published for o in problem.observations], noise)
        self.priors = priors
        self.top = priors.shape[1] - 1
        self.rng = rng
        self.incidence = np.zeros((len(problem.atoms), len(atoms_of)))
        for c, members in enumerate(self.cell_atoms):
            self.incidence[members, c] = 1
        planned = [b for block in blocks for b in _plan(block, cells_of, atoms_of)]
        # A block inside another (a breakdown block of one group) adds nothing.
        sets = [frozenset(b.atoms.tolist()) for b in planned]
        self.blocks = [
            b for i, (b, s) in enumerate(zip(planned, sets, strict=True))
            if not any(s < t for t in sets) and s not in sets[:i]
        ]  # fmt: skip
        pairs = sorted((a, c) for a, cs in enumerate(cells_of) for c in cs)
        self.pair_atom = np.array([a for a, _ in pairs], dtype=np.int64)
        self.pair_cell = np.array([c for _, c in pairs], dtype=np.int64)
        self.pair_starts = np.searchsorted(
            self.pair_atom, np.arange(len(problem.atoms))
        )
        if len(set(self.pair_atom.tolist())) != len(problem.atoms):
            raise AssertionError("every atom needs a cell")
        self.x = np.stack(
            [_pick(np.tile(p, (chains, 1)), rng) for p in priors], axis=1
        ).astype(np.int64)
        self.sums = (self.x @ self.incidence).astype(np.int64)
        self.values = np.arange(self.top + 1)

    def feasible(self) -> npt.NDArray[np.bool_]:
        """Per chain: every cell's likelihood positive."""
        every = np.broadcast_to(np.arange(self.sums.shape[1]), self.sums.shape)
        return (self.cells(every, self.sums) > 0).all(axis=1)

    def sweep(self, soft: bool) -> None:
        for block in self.blocks:
            self._draw(block, soft)

    def _draw(self, block: _Block, soft: bool) -> None:
        x, sums, chains = self.x, self.sums, self.x.shape[0]
        leaves = block.atoms
        # Leaves together: prior x each cell's likelihood at value + the rest.
        offset = sums[:, block.leaf_cells] - x[:, leaves][:, :, None]
        chance = self.cells(
            block.leaf_cells[None, :, :, None],
            offset[:, :, :, None] + self.values,
            soft,
        )
        # In logs: an atom of the any-window control is in 70 cells.
        with np.errstate(divide="ignore"):
            logs = np.where(block.leaf_mask[None, :, :, None], np.log(chance), 0.0)
            logs = logs.sum(axis=2) + np.log(self.priors[leaves])[None, :, :]
        leaf = _exp(logs, axis=2)  # (chains, leaves, values)
        live = np.flatnonzero(leaf.any(axis=(0, 1)))
        leaf = leaf[:, :, live[0] : live[-1] + 1]
        leaf = leaf / np.maximum(leaf.max(axis=2, keepdims=True), 1e-300)
        dists: list[Dist] = [(int(live[0]), leaf[:, i]) for i in range(len(leaves))]
        suffixes: list[list[Dist]] = []
        for node in block.sums:
            parts = [dists[c] for c in node.children]
            rest = [parts[-1]]
            for part in reversed(parts[:-1]):
                rest.insert(0, _convolve(part, rest[0]))
            suffixes.append(rest)
            lo, dist = rest[0]
            if len(node.cells):
                offset = sums[:, node.cells] - x[:, node.atoms].sum(axis=1)[:, None]
                values = lo + np.arange(dist.shape[1])
                chance = self.cells(
                    node.cells[None, :, None], offset[:, :, None] + values, soft
                )
                with np.errstate(divide="ignore"):
                    dist = dist * _exp(np.log(chance).sum(axis=1), axis=1)
            dists.append(_trim(lo, dist))
        lo, dist = dists[-1]
        if not dist.any(axis=1).all():
            raise AssertionError("a chain has no consistent count for a block")
        root = len(dists) - 1
        totals = {root: lo + _pick(dist, self.rng)}
        rows = np.arange(chains)[:, None]
        for index in range(len(block.sums) - 1, -1, -1):
            node, total = block.sums[index], totals[index + len(leaves)]
            rest = suffixes[index]
            for k, child in enumerate(node.children[:-1]):
                lo_c, d_c = dists[child]
                lo_r, d_r = rest[k + 1]
                j = total[:, None] - (lo_c + np.arange(d_c.shape[1])) - lo_r
                ok = (j >= 0) & (j < d_r.shape[1])
                weight = d_c * np.where(
                    ok, d_r[rows, np.clip(j, 0, d_r.shape[1] - 1)], 0
                )
                picked = lo_c + _pick(weight, self.rng)
                totals[child] = picked
                total = total - picked
            totals[node.children[-1]] = total
        new = np.stack([totals[i] for i in range(len(leaves))], axis=1)
        delta = new - x[:, leaves]
        if delta.any():
            self.sums = sums + (delta @ self.incidence[leaves]).astype(np.int64)
            self.x[:, leaves] = new

    def conditionals(self) -> npt.NDArray[np.float64]:
        """(chains, atoms, values): each atom's full conditional."""
        base = self.sums[:, self.pair_cell] - self.x[:, self.pair_atom]
        values = np.arange(self.top + 1)
        with np.errstate(divide="ignore"):
            logs = np.log(
                self.cells(
                    self.pair_cell[None, :, None],
                    base[:, :, None] + values[None, None, :],
                )
            )
            logs = np.add.reduceat(logs, self.pair_starts, axis=1) + np.log(self.priors)
        logs -= logs.max(axis=2, keepdims=True)
        chance = np.exp(logs)
        return chance / chance.sum(axis=2, keepdims=True)


@dataclass
class JointFit:
    """The sampler's answer for one problem."""

    atoms: list[Atom]
    # (chains, atoms, values): each chain's Rao-Blackwellised posteriors.
    chain_marginals: npt.NDArray[np.float64]
    # (chains, draws, atoms): the draws.
    draws: npt.NDArray[np.int16]
    seconds: float
    sweeps: int
    # Chains dropped for never finding counts consistent with every cell.
    dropped: int = 0
    index: dict[Atom, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {atom: i for i, atom in enumerate(self.atoms)}

    @property
    def marginals(self) -> npt.NDArray[np.float64]:
        return self.chain_marginals.mean(axis=0)

    def posterior(
        self, atoms: Sequence[Atom]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """P(sum of ``atoms`` = v) and its Monte Carlo standard error, for v
        from 0: Rao-Blackwellised for one atom, from the draws for more."""
        chains = self.chain_marginals.shape[0]
        if len(atoms) == 1:
            per_chain = self.chain_marginals[:, self.index[atoms[0]]]
        else:
            sums = self.draws[:, :, [self.index[a] for a in atoms]].sum(axis=2)
            top = int(sums.max()) + 1
            per_chain = np.stack([np.bincount(s, minlength=top) / len(s) for s in sums])
        return per_chain.mean(axis=0), per_chain.std(axis=0, ddof=1) / np.sqrt(chains)


def joint_solver(
    problem: Problem,
    priors: npt.NDArray[np.float64],
    noise: NoiseModel,
    *,
    blocks: Sequence[Sequence[int]] | None = None,
    chains: int = 24,
    burn_in: int = 40,
    draws: int = 60,
    soft_sweeps: int = 10,
    seed: int = 26,
) -> JointFit:
    """Posteriors of the problem's atoms by blocked Gibbs sampling (the
    module docstring). ``priors``: one row per atom; ``blocks``: atom
    indices (default: one block per atom)."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    blocks = blocks if blocks is not None else [[i] for i in range(len(problem.atoms))]
    sampler = _Sampler(problem, priors, noise, blocks, chains, rng)
    sweeps = 0
    for _ in range(soft_sweeps):
        sampler.sweep(soft=True)
        sweeps += 1
    while not sampler.feasible().all() and sweeps < 2 * soft_sweeps + 20:
        sampler.sweep(soft=True)
        sweeps += 1
    # A chain that found no count consistent with every cell (atom by atom
    # moves under overlapping runs can stall) is dropped, and counted.
    feasible = sampler.feasible()
    if not feasible.any():
        raise AssertionError("no chain found counts consistent with every cell")
    sampler.x, sampler.sums = sampler.x[feasible], sampler.sums[feasible]
    chains = int(feasible.sum())
    for _ in range(burn_in):
        sampler.sweep(soft=False)
        sweeps += 1
    total = np.zeros((chains, len(problem.atoms), priors.shape[1]))
    kept = np.zeros((chains, draws, len(problem.atoms)), dtype=np.int16)
    for d in range(draws):
        sampler.sweep(soft=False)
        sweeps += 1
        total += sampler.conditionals()
        kept[:, d] = sampler.x
    return JointFit(
        list(problem.atoms), total / draws, kept, time.perf_counter() - started,
        sweeps, int((~feasible).sum()),
    )  # fmt: skip


# -- the baseline and the score ----------------------------------------------


def own_posterior(
    target: Target, priors: dict[object, npt.NDArray[np.float64]], noise: NoiseModel
) -> npt.NDArray[np.float64]:
    """P(true count | the cell's own answer), the prior of its sum being its
    atoms' priors convolved."""
    prior = np.ones(1)
    for _, _, group in target.atoms:
        prior = np.convolve(prior, priors.get(group, priors[_NEVER]))
    chance = prior * noise.likelihood(target.published, len(prior) - 1)
    return chance / chance.sum()


@dataclass
class Found:
    """A target pinned by the joint solver and not by its own answer."""

    target: Target
    posterior: float
    error: float
    own: float


@dataclass
class JointScore:
    """Month cells pinned (posterior of PINNED or more on the truth) jointly
    and from their own answers alone, by kind of cell."""

    kinds: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    beyond: list[Found] = field(default_factory=list)
    seconds: float = 0.0
    ward_years: int = 0
    largest_error: float = 0.0
    # Targets within two standard errors of PINNED.
    borderline: int = 0
    dropped: int = 0

    def add(
        self,
        ward_year: WardYear,
        fit: JointFit,
        priors: dict[object, npt.NDArray[np.float64]],
        noise: NoiseModel,
    ) -> None:
        self.ward_years += 1
        self.seconds += fit.seconds
        self.dropped += fit.dropped
        for target in ward_year.targets():
            chance, error = fit.posterior(target.atoms)
            own = own_posterior(target, priors, noise)
            withheld = target.published is None
            tally = self.kinds[target.kind]
            tally["cells"] += 1
            tally["withheld"] += withheld
            kind = "withheld" if withheld else "perturbed"
            p = float(chance[target.truth]) if target.truth < len(chance) else 0.0
            e = float(error[target.truth]) if target.truth < len(error) else 0.0
            q = float(own[target.truth]) if target.truth < len(own) else 0.0
            self.largest_error = max(self.largest_error, e)
            self.borderline += abs(p - PINNED) < 2 * e
            tally[f"pinned_{kind}"] += p >= PINNED
            tally[f"own_{kind}"] += q >= PINNED
            tally["wrong"] += bool(chance.max() >= PINNED and p < PINNED)
            tally["own_wrong"] += bool(own.max() >= PINNED and q < PINNED)
            if p >= PINNED and q < PINNED:
                self.beyond.append(Found(target, p, e, q))

    def add_score(self, other: JointScore) -> None:
        for kind, tally in other.kinds.items():
            for name, count in tally.items():
                self.kinds[kind][name] += count
        self.beyond += other.beyond
        self.seconds += other.seconds
        self.ward_years += other.ward_years
        self.largest_error = max(self.largest_error, other.largest_error)
        self.borderline += other.borderline
        self.dropped += other.dropped

    def total(self, name: str) -> int:
        return sum(t[name] for t in self.kinds.values())

    def beyond_withheld(self) -> list[Found]:
        return [f for f in self.beyond if f.target.published is None]

    def beyond_perturbed(self) -> list[Found]:
        return [f for f in self.beyond if f.target.published is not None]

    def lines(self, label: str) -> list[str]:
        found = []
        for kind in sorted(self.kinds):
            t = self.kinds[kind]
            found.append(
                f"{label:<22} {kind:<17} {t['cells']:>6} {t['withheld']:>8} "
                f"{t['pinned_withheld']:>5}/{t['own_withheld']:<4} "
                f"{t['pinned_perturbed']:>5}/{t['own_perturbed']:<4} "
                f"{t['wrong']:>5}/{t['own_wrong']:<4}"
            )
        found.append(
            f"{label:<22} {'(all)':<17} {self.total('cells'):>6} "
            f"{self.total('withheld'):>8} "
            f"{self.total('pinned_withheld'):>5}/{self.total('own_withheld'):<4} "
            f"{self.total('pinned_perturbed'):>5}/{self.total('own_perturbed'):<4} "
            f"{self.total('wrong'):>5}/{self.total('own_wrong'):<4} "
            f"{self.seconds:>7.1f}s mcse<={self.largest_error:.3f} "
            f"borderline {self.borderline} dropped {self.dropped}"
        )
        return found


JOINT_HEADER = (
    f"{'interface':<22} {'month cells':<17} {'cells':>6} {'withheld':>8} "
    f"{'pin w/own':>10} {'pin p/own':>10} {'wrong/own':>10}"
)


def explain(ward_year: WardYear, found: Found) -> list[str]:
    """The cells over a pinned target's atoms: what drives the pin."""
    atoms = set(found.target.atoms)
    lines = [
        f"{found.target.label} ({found.target.kind}): true {found.target.truth}, "
        f"own answer {found.target.published}, posterior {found.posterior:.3f} "
        f"(+-{found.error:.3f}), own {found.own:.3f}"
    ]
    for o in ward_year.problem.observations:
        if atoms & set(o.atoms):
            truth = sum(ward_year.problem.counts[a] for a in o.atoms)
            lines.append(f"    {o.label:<40} published {o.published!s:>5} true {truth}")
    return lines
