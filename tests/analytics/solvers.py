"""A fitting attacker: two solvers over published cells (issue 26).

``tests/analytics/attacker.py`` bounds cells by interval propagation; an
attacker who *fits* does better. Here the unknowns are **atoms**: the true
counts of the smallest cells (one area's months of one measure and group),
and every published figure is an ``Observation``: the set of atoms its cell
sums over and its published count, or withheld. Two solvers:

* ``likelihood_solver`` knows only what ``docs/publication.md`` documents:
  the chances of each noise (``DEFAULT_NOISE``), the threshold, and that
  counts under the threshold less 5 are always withheld; not the layout of
  the ptable. It treats each published cell's noise as independent given
  its true count (all an attacker without the layout can do) and computes
  each atom's posterior exactly, by forward-backward over the atoms in order
  with the partial sums of the cells still open as the state (a layered
  graph; cells that nest, months in quarters in years, keep it small). When
  the states outgrow ``max_states`` it keeps the likeliest by forward mass
  (its posteriors are then approximate) and counts the component in
  ``Fit.lost``.
* ``exact_solver`` is given the ptable (as if its layout leaked) and uses
  that cell keys add: a cell's key is the sum of its atoms' keys modulo the
  key range, and an empty cell's key is 0. Unknowns are each atom's count
  and key; each observation allows only the (sum of counts, sum of keys)
  pairs the ptable maps to what was published. OR-Tools CP-SAT decides, for
  each atom, whether a second count is feasible; an atom with exactly one
  feasible count is **pinned**.

Each solver also runs on each atom's own answer alone (``Problem.own``):
the baseline a publication is measured against. ``score`` counts, per
solver, the atoms pinned whose own cell is withheld ("withheld alone") or
published ("perturbed"), and the wrong calls (pinned, but not to the truth).

The harnesses ``any_window`` (the engine asked for every run of months in
each financial year, as the public API allowed) and ``lattice`` (what
``results.series`` answers the public) turn a store's answers for one
series into ``Problem``s; ``monthly_prior`` is the attacker's prior;
``sparse_store`` builds a small SYNTHETIC store of sparse domestic abuse
counts through the ordinary loaders.
"""

from __future__ import annotations

import csv
import functools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.analytics import geography, results
from saferplaces.analytics.measures.registry import get_measure
from saferplaces.analytics.measures.series import (
    financial_quarter,
    financial_year,
    lsoa_month_counts,
    measure_months,
    measure_series,
)
from saferplaces.analytics.perturbation import DEFAULT_NOISE, PTable
from saferplaces.analytics.store import Store

Atom = Hashable
# Odd 64-bit multipliers for hashing a state's running sums.
_HASH = np.random.default_rng(26).integers(1, 2**62, 64, dtype=np.uint64) | np.uint64(1)
# A posterior of 0.9 or more on one count is a call (issue 26).
PINNED = 0.9


@dataclass(frozen=True)
class Observation:
    """A published cell: the atoms it sums and its count (None: withheld)."""

    atoms: tuple[Atom, ...]
    published: int | None
    label: str = ""


@dataclass
class Problem:
    """One series' unknowns, what was published of them, and the truth
    (used only to score, never to solve)."""

    name: str
    atoms: list[Atom]
    observations: list[Observation]
    counts: dict[Atom, int]
    keys: dict[Atom, int]
    # Requests the interface refused.
    refused: int = 0

    def own(self) -> Problem:
        """The same atoms, each known only from its own published cell."""
        alone = [o for o in self.observations if len(o.atoms) == 1]
        return Problem(self.name, self.atoms, alone, self.counts, self.keys)

    def alone(self) -> dict[Atom, int | None]:
        """Each atom's own published count (None: withheld); atoms never
        published alone are left out."""
        return {o.atoms[0]: o.published for o in self.observations if len(o.atoms) == 1}

    def add(self, atoms: Sequence[Atom], published: int | None, label: str) -> None:
        """Add a cell unless one over the same atoms is already known (the
        same cell asked twice gives the same answer)."""
        known = {o.atoms for o in self.observations}
        order = {atom: i for i, atom in enumerate(self.atoms)}
        cell = tuple(sorted(atoms, key=order.__getitem__))
        if cell and cell not in known:
            self.observations.append(Observation(cell, published, label))


# -- the documented noise, and the prior -------------------------------------


@dataclass(frozen=True)
class NoiseModel:
    """P(published | true count) as documented: noise of ``chances`` from
    ``threshold - largest noise`` upwards, smaller counts always withheld,
    published counts under the threshold withheld."""

    chances: dict[int, float]
    threshold: int

    @classmethod
    def documented(cls, threshold: int) -> NoiseModel:
        total = sum(keys for _, keys in DEFAULT_NOISE)
        return cls({noise: keys / total for noise, keys in DEFAULT_NOISE}, threshold)

    def likelihood(self, published: int | None, top: int) -> npt.NDArray[np.float64]:
        """P(what was published | true count s) for s = 0 to ``top``."""
        largest = max(self.chances)
        chance = np.zeros(top + 1)
        for s in range(top + 1):
            if s < self.threshold - largest:  # 0 included: always withheld
                chance[s] = 1.0 if published is None else 0.0
            elif published is None:
                chance[s] = sum(
                    p for d, p in self.chances.items() if s + d < self.threshold
                )
            elif published >= self.threshold:
                chance[s] = self.chances.get(published - s, 0.0)
        return chance


def prior_from_counts(counts: Iterable[int], top: int) -> npt.NDArray[np.float64]:
    """A histogram of true counts over 0 to ``top``, with half a count added
    to each (so a count never seen is unlikely, never impossible)."""
    histogram = np.full(top + 1, 0.5)
    for count in counts:
        histogram[min(count, top)] += 1
    return histogram / histogram.sum()


# -- the likelihood solver ---------------------------------------------------


@dataclass
class Posterior:
    """One atom's posterior: P(count = v) for v = 0 to top."""

    chances: npt.NDArray[np.float64]

    @property
    def call(self) -> int | None:
        """The count with posterior of PINNED or more, if any."""
        best = int(np.argmax(self.chances))
        return best if self.chances[best] >= PINNED else None

    def of(self, count: int) -> float:
        return float(self.chances[count]) if count < len(self.chances) else 0.0


@dataclass
class Fit:
    """A solver's answer for one problem."""

    calls: dict[Atom, int | None]
    seconds: float
    # Components cut short: the likelihood solver dropped states at its cap
    # (its posteriors are then approximate); the exact solver gave up.
    lost: float = 0.0
    posteriors: dict[Atom, Posterior] = field(default_factory=dict)


def likelihood_solver(
    problem: Problem,
    noise: NoiseModel,
    prior: npt.NDArray[np.float64],
    *,
    max_states: int = 50_000,
) -> Fit:
    """Each atom's posterior given every observation (see the module
    docstring): prior(count) for each atom times P(published | sum) for
    each cell, summed over every assignment by forward-backward."""
    started = time.perf_counter()
    top = len(prior) - 1
    order = {atom: i for i, atom in enumerate(problem.atoms)}
    cells = [
        (
            [order[a] for a in o.atoms],
            noise.likelihood(o.published, top * len(o.atoms)),
        )
        for o in problem.observations
    ]
    posteriors: dict[Atom, Posterior] = {}
    lost = 0.0
    for component in _components(len(problem.atoms), [c for c, _ in cells]):
        members = set(component)
        inside = [c for c in cells if c[0][0] in members]
        chances, dropped = _forward_backward(component, inside, prior, max_states)
        lost += dropped > 0
        for index, chance in zip(component, chances, strict=True):
            posteriors[problem.atoms[index]] = Posterior(chance)
    calls = {atom: posteriors[atom].call for atom in problem.atoms}
    return Fit(calls, time.perf_counter() - started, lost, posteriors)


def _components(size: int, cells: list[list[int]]) -> list[list[int]]:
    """Atoms joined by shared cells (union-find), each in order."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for cell in cells:
        for other in cell[1:]:
            parent[root(other)] = root(cell[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(size):
        groups[root(i)].append(i)
    return sorted(groups.values())


def _forward_backward(
    atoms: list[int],
    cells: list[tuple[list[int], npt.NDArray[np.float64]]],
    prior: npt.NDArray[np.float64],
    max_states: int,
) -> tuple[list[npt.NDArray[np.float64]], float]:
    """Posteriors of ``atoms`` (in order) and the forward mass the state cap
    dropped, as a share (0: the posteriors are exact; otherwise a loose
    bound, since later cells would have thinned what was dropped).

    The state after atom t is the partial sum of every cell that has begun
    and not ended (cells whose atoms seen so far are the same share one
    column). A step adds atom t's count v to the cells holding it, closes
    the cells that end at t (times their likelihood of that sum) and times
    the prior of v: an edge from the parent state to the child state with
    that weight. Forward and backward sums over these edges give each
    atom's posterior exactly, as long as no state is dropped.
    """
    position = {atom: t for t, atom in enumerate(atoms)}
    spans = [([position[a] for a in cell], chance) for cell, chance in cells]
    ends = defaultdict(list)
    for index, (members, _) in enumerate(spans):
        ends[max(members)].append(index)
    top = len(prior) - 1
    values = np.arange(top + 1)
    # Columns: the set of atoms a running sum holds so far.
    columns: list[frozenset[int]] = []
    states = np.zeros((1, 0), dtype=np.int32)
    alpha = np.ones(1)
    log_scale = 0.0
    dropped_log: list[float] = []
    layers = []  # per step: (alpha of parents, parent, child, value, weight)
    for t in range(len(atoms)):
        new_columns = sorted(
            {
                frozenset(a for a in members if a <= t)
                for members, _ in spans
                if min(members) <= t < max(members)
            },
            key=sorted,
        )
        # Candidate counts: prior > 0 and the atom's own cells allow them.
        weight_of_value = prior.copy()
        closing = ends[t]
        for i in closing:
            if len(spans[i][0]) == 1:
                weight_of_value = weight_of_value * spans[i][1][: top + 1]
        candidates = values[weight_of_value > 0]
        n = len(states)
        parent = np.repeat(np.arange(n), len(candidates))
        value = np.tile(candidates, n)
        weight = np.tile(weight_of_value[candidates], n)

        for i in closing:
            members, chance = spans[i]
            if len(members) == 1:
                continue
            total = _running(states, columns, parent, value, t, members)
            weight = (
                weight
                * chance[np.minimum(total, len(chance) - 1)]
                * (total < len(chance))
            )
        keep = weight > 0
        parent, value, weight = parent[keep], value[keep], weight[keep]
        if len(parent) == 0:
            raise AssertionError("no count is consistent with what was published")
        child_sums = (
            np.stack(
                [_running(states, columns, parent, value, t, c) for c in new_columns],
                axis=1,
            )
            if new_columns
            else np.zeros((len(parent), 0), dtype=np.int64)
        )
        if new_columns:
            # Rows told apart by a random linear hash (one 64-bit sort rather
            # than a row-wise one; a collision has odds of about 2**-40).
            hashed = child_sums.astype(np.uint64) @ _HASH[: len(new_columns)]
            _, first, child = np.unique(hashed, return_index=True, return_inverse=True)
            unique, child = child_sums[first], child.reshape(-1)
        else:
            unique, child = (
                np.zeros((1, 0), dtype=np.int64),
                np.zeros(len(parent), dtype=np.int64),
            )
        flow = alpha[parent] * weight
        child_alpha = np.bincount(child, flow, minlength=len(unique))
        if len(unique) > max_states:
            # Keep the likeliest states: a dropped state's forward mass bounds
            # everything that could have passed through it (likelihoods and
            # priors are at most 1).
            kept = np.argsort(child_alpha)[::-1][:max_states]
            mask = np.zeros(len(unique), dtype=bool)
            mask[kept] = True
            dropped_log.append(math.log(child_alpha[~mask].sum()) + log_scale)
            renumber = np.full(len(unique), -1)
            renumber[kept] = np.arange(len(kept))
            on = mask[child]
            parent, value, weight = parent[on], value[on], weight[on]
            child = renumber[child[on]]
            unique, child_alpha = unique[kept], child_alpha[kept]
        layers.append((alpha, parent, child, value, weight))
        scale = child_alpha.max()
        alpha = child_alpha / scale
        log_scale += math.log(scale)
        states = unique.astype(np.int32)
        columns = new_columns
    total_log = math.log(alpha.sum()) + log_scale
    lost = sum(math.exp(d - total_log) for d in dropped_log)
    beta = np.ones(len(alpha))
    chances: list[npt.NDArray[np.float64]] = [np.zeros(0)] * len(atoms)
    for t in range(len(atoms) - 1, -1, -1):
        parent_alpha, parent, child, value, weight = layers[t]
        edge = weight * beta[child]
        through = parent_alpha[parent] * edge
        marginal = np.bincount(value, through, minlength=top + 1)
        chances[t] = marginal / marginal.sum()
        beta = np.bincount(parent, edge, minlength=len(parent_alpha))
        beta = beta / beta.max()
    return chances, lost / (1 + lost)


def _running(
    states: npt.NDArray[np.int32],
    columns: list[frozenset[int]],
    parent: npt.NDArray[np.int64],
    value: npt.NDArray[np.int64],
    t: int,
    cell: Iterable[int],
) -> npt.NDArray[np.int64]:
    """Each edge's running sum of a cell over its atoms up to ``t``: the
    parent state's column for the atoms before ``t``, plus the value of ``t``
    if the cell holds it."""
    atoms = frozenset(cell)
    before = atoms - {t}
    base = (
        states[parent, columns.index(before)].astype(np.int64)
        if before
        else np.zeros(len(parent), dtype=np.int64)
    )
    return base + value if t in atoms else base


# -- the exact solver ----------------------------------------------------------


def exact_solver(problem: Problem, ptable: PTable, *, budget: int = 20_000_000) -> Fit:
    """Atoms with exactly one feasible count, given the ptable's layout and
    that cell keys add (see the module docstring).

    Cells that nest (months in quarters in years: a laminar family) are
    solved exactly on their tree: each cell's feasible (count, key) pairs
    upwards as sums of its parts', then downwards, each part keeping the
    pairs some completion of its siblings allows. Other families (runs of
    months that overlap) are searched month by month over every feasible
    (count, key) prefix; a component whose prefixes outgrow ``budget``
    (pairs tried at one step) pins nothing and counts in ``Fit.lost``: a
    withheld month allows some 1,900 (count, key) pairs, so runs of
    withheld months outgrow any budget.
    """
    started = time.perf_counter()
    order = {atom: i for i, atom in enumerate(problem.atoms)}
    cells = [[order[a] for a in o.atoms] for o in problem.observations]
    calls: dict[Atom, int | None] = dict.fromkeys(problem.atoms)
    gave_up = 0
    for component in _components(len(problem.atoms), cells):
        members = set(component)
        inside = [
            (cell, o.published)
            for cell, o in zip(cells, problem.observations, strict=True)
            if cell[0] in members
        ]
        if _laminar([c for c, _ in inside]):
            found = _nested(component, inside, ptable)
        else:
            found = _prefixes(component, inside, ptable, budget)
        if found is None:
            gave_up += 1
            continue
        for index, feasible in found.items():
            calls[problem.atoms[index]] = (
                next(iter(feasible)) if len(feasible) == 1 else None
            )
    return Fit(calls, time.perf_counter() - started, float(gave_up))


def _most(ptable: PTable, published: int | None) -> int:
    """The largest true count a cell can have."""
    shown = ptable.threshold - 1 if published is None else published
    return shown + ptable.most_noise


def _allowed(ptable: PTable, published: int | None, most: int) -> npt.NDArray[np.bool_]:
    """allowed[count, key]: the pairs that publish ``published``."""
    grid = np.zeros((most + 1, ptable.key_range), dtype=bool)
    for count, key in allowed_pairs(ptable, published, most):
        grid[count, key] = True
    return grid


def _laminar(cells: list[list[int]]) -> bool:
    """Every two cells nest or are apart (months, quarters, years)."""
    sets = [frozenset(c) for c in cells]
    return all(
        a <= b or b <= a or not a & b for i, a in enumerate(sets) for b in sets[:i]
    )


def _add(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Pairs reachable as a sum: counts add, keys add modulo the range."""
    rows = a.shape[0] + b.shape[0] - 1
    fa = np.fft.rfft2(a.astype(float), s=(rows, a.shape[1]))
    fb = np.fft.rfft2(b.astype(float), s=(rows, b.shape[1]))
    return np.fft.irfft2(fa * fb, s=(rows, a.shape[1])) > 0.5


def _room(
    total: npt.NDArray[np.bool_], others: npt.NDArray[np.bool_], rows: int
) -> npt.NDArray[np.bool_]:
    """Pairs p (counts below ``rows``) with p + o in ``total`` for some o in
    ``others``: what a part may be, given the rest."""
    flipped = np.roll(others[::-1, ::-1], 1, axis=1)  # o -> (-count, -key)
    both = _add(total, flipped)  # index count + (len(others) - 1) - o
    shift = others.shape[0] - 1
    found = np.zeros((rows, total.shape[1]), dtype=bool)
    usable = min(rows, both.shape[0] - shift)
    found[:usable] = both[shift : shift + usable]
    return found


def _nested(
    component: list[int],
    cells: list[tuple[list[int], int | None]],
    ptable: PTable,
) -> dict[int, set[int]]:
    """Feasible counts of each atom when the cells nest: a tree, exactly."""
    sets = [frozenset(c) for c, _ in cells]
    nodes = sorted(range(len(cells)), key=lambda i: len(sets[i]))
    parent: dict[int, int | None] = {}
    for i in nodes:
        holders = [j for j in nodes if j != i and sets[i] < sets[j]]
        parent[i] = min(holders, key=lambda j: len(sets[j])) if holders else None
    own = {next(iter(sets[i])): i for i in nodes if len(sets[i]) == 1}
    free = np.ones(
        (1 + max(_most(ptable, p) for _, p in cells), ptable.key_range), bool
    )
    free[0, 1:] = False  # an empty cell's key is 0
    # Atoms with no cell of their own hang under their smallest cell.
    leaves: dict[int | None, list[int]] = defaultdict(list)
    for atom in component:
        if atom not in own:
            holders = [j for j in nodes if atom in sets[j]]
            leaves[min(holders, key=lambda j: len(sets[j]))].append(atom)
    children: dict[int | None, list[int]] = defaultdict(list)
    for i in nodes:
        children[parent[i]].append(i)
    up: dict[object, npt.NDArray[np.bool_]] = {}
    for i in nodes:  # smallest first: parts before their totals
        most = _most(ptable, cells[i][1])
        if len(sets[i]) == 1:
            up[i] = _allowed(ptable, cells[i][1], most)
            continue
        parts = [up[c] for c in children[i]] + [free] * len(leaves[i])
        reach = functools.reduce(_add, parts)[: most + 1]
        grid = _allowed(ptable, cells[i][1], most)
        up[i] = grid[: len(reach)] & reach
    down = {i: up[i] for i in nodes if parent[i] is None}
    for i in reversed(nodes):  # largest first: totals before their parts
        parts = [("cell", c) for c in children[i]] + [("atom", a) for a in leaves[i]]
        grids = [up[c] if kind == "cell" else free for kind, c in parts]
        for index, (kind, c) in enumerate(parts):
            rest = grids[:index] + grids[index + 1 :]
            mine = grids[index]
            room = (
                _room(down[i], functools.reduce(_add, rest), len(mine))
                if rest
                else down[i][: len(mine)]
            )
            if len(room) < len(mine):
                room = np.pad(room, ((0, len(mine) - len(room)), (0, 0)))
            down[(kind, c) if kind == "atom" else c] = mine & room
    found = {}
    for atom in component:
        grid = down[own[atom]] if atom in own else down[("atom", atom)]
        found[atom] = set(np.flatnonzero(grid.any(axis=1)).tolist())
        if not found[atom]:
            raise AssertionError("the exact model refuses the published cells")
    return found


def _prefixes(
    component: list[int],
    cells: list[tuple[list[int], int | None]],
    ptable: PTable,
    budget: int,
) -> dict[int, set[int]] | None:
    """Feasible counts of each atom by searching every (count, key) prefix
    month by month; None when a step would try more than ``budget`` pairs."""
    span = ptable.key_range
    position = {atom: t for t, atom in enumerate(component)}
    spans = [([position[a] for a in c], p) for c, p in cells]
    ends: dict[int, list[int]] = defaultdict(list)
    for index, (members, _) in enumerate(spans):
        ends[max(members)].append(index)
    grids = [_allowed(ptable, p, _most(ptable, p)) for _, p in spans]
    counts = np.zeros((1, 0), dtype=np.int32)
    keys = np.zeros((1, 0), dtype=np.int32)
    for t in range(len(component)):
        alone = [i for i in ends[t] if len(spans[i][0]) == 1]
        most = min((len(grids[i]) - 1 for i in alone), default=ptable.threshold * 4)
        grid = grids[alone[0]] if alone else np.ones((most + 1, span), dtype=bool)
        grid = grid.copy()
        grid[0, 1:] = False
        x, k = np.nonzero(grid)
        if len(counts) * len(x) > budget:
            return None
        keep = np.ones((len(counts), len(x)), dtype=bool)
        for i in ends[t]:
            members, _ = spans[i]
            if len(members) == 1:
                continue
            before = [m for m in members if m != t]
            n = counts[:, before].sum(axis=1)[:, None] + x[None, :]
            key = (keys[:, before].sum(axis=1)[:, None] + k[None, :]) % span
            inside = n < len(grids[i])
            keep &= inside & grids[i][np.minimum(n, len(grids[i]) - 1), key]
        rows, picks = np.nonzero(keep)
        counts = np.column_stack([counts[rows], x[picks]])
        keys = np.column_stack([keys[rows], k[picks]])
        if not len(counts):
            raise AssertionError("the exact model refuses the published cells")
    return {atom: set(counts[:, position[atom]].tolist()) for atom in component}


def allowed_pairs(
    ptable: PTable, published: int | None, most: int
) -> list[tuple[int, int]]:
    """(true count, cell key) pairs that publish ``published`` (None:
    withheld), for counts 0 to ``most``. An empty cell's key is 0."""
    counts = np.repeat(np.arange(most + 1), ptable.key_range)
    keys = np.tile(np.arange(ptable.key_range), most + 1)
    shown = ptable.perturb(counts, keys)
    match = np.isnan(shown) if published is None else shown == published
    match &= (counts > 0) | (keys == 0)
    return list(zip(counts[match].tolist(), keys[match].tolist(), strict=True))


# -- scoring -----------------------------------------------------------------


@dataclass
class Score:
    """What a solver pinned over some problems, beside what it pinned from
    each atom's own answer alone."""

    series: int = 0
    months: int = 0
    # Atoms whose own cell is withheld, or published (perturbed).
    withheld_alone: int = 0
    perturbed_alone: int = 0
    pinned_withheld: int = 0
    pinned_perturbed: int = 0
    wrong: int = 0
    own_pinned_withheld: int = 0
    own_pinned_perturbed: int = 0
    own_wrong: int = 0
    seconds: float = 0.0
    # Components cut short (``Fit.lost``).
    lost: float = 0.0
    refused: int = 0

    def add(self, problem: Problem, fit: Fit, own: Fit) -> None:
        alone = problem.alone()
        self.series += 1
        self.months += len(problem.atoms)
        self.refused += problem.refused
        self.seconds += fit.seconds
        self.lost += fit.lost
        for atom in problem.atoms:
            withheld = alone.get(atom, 0) is None
            self.withheld_alone += withheld
            self.perturbed_alone += atom in alone and not withheld
            truth = problem.counts[atom]
            for answer, prefix in ((fit, ""), (own, "own_")):
                call = answer.calls[atom]
                if call is None:
                    continue
                if call != truth:
                    setattr(self, f"{prefix}wrong", getattr(self, f"{prefix}wrong") + 1)
                elif atom in alone:
                    kind = "withheld" if withheld else "perturbed"
                    name = f"{prefix}pinned_{kind}"
                    setattr(self, name, getattr(self, name) + 1)

    def add_score(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self, label: str) -> str:
        return (
            f"{label:<28} {self.series:>6} {self.months:>6} {self.withheld_alone:>8} "
            f"{self.pinned_withheld:>5}/{self.own_pinned_withheld:<4} "
            f"{self.pinned_perturbed:>5}/{self.own_pinned_perturbed:<4} "
            f"{self.wrong:>5}/{self.own_wrong:<4} {self.seconds:>8.1f} "
            f"{self.lost:>4.0f} {self.refused:>7}"
        )


HEADER = (
    f"{'solver, interface':<28} {'series':>6} {'months':>6} {'withheld':>8} "
    f"{'pin w/own':>10} {'pin p/own':>10} {'wrong/own':>10} {'seconds':>8} "
    f"{'cut':>4} {'refused':>7}"
)


def score(problems: Iterable[Problem], solve: Callable[[Problem], Fit]) -> Score:
    """``solve`` on each problem and on its own answers alone, scored."""
    tally = Score()
    for problem in problems:
        tally.add(problem, solve(problem), solve(problem.own()))
    return tally


# -- what the public interfaces answer ---------------------------------------


def series_truth(
    store: Store, measure_id: str, area: str, group: str | None
) -> dict[str | None, dict[str, tuple[int, int]]]:
    """{group value: {month: (true count, sum of record keys)}} in the area
    (the truth, to score with and to check the exact model)."""
    measure = get_measure(measure_id)
    counts = lsoa_month_counts(store, measure, group, None)
    inside = counts.filter(
        pc.is_in(counts.column("lsoa_code"), pa.array(geography.lsoas_in(store, area)))
    )
    found: dict[str | None, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        inside.group_by(["month", "grp"])
        .aggregate([("n", "sum"), ("keys", "sum")])
        .to_pylist()
    ):
        value = None if row["grp"] is None else str(row["grp"])
        found[value][str(row["month"])] = (int(row["n_sum"]), int(row["keys_sum"]))
    return found


class _Problems(dict[str | None, Problem]):
    """A series' problems by group value, made when first asked for (a
    published breakdown lists groups without records too: all zero)."""

    def __init__(
        self, store: Store, measure_id: str, area: str, group: str | None, span: int
    ) -> None:
        super().__init__()
        self.months = measure_months(store, get_measure(measure_id), None)
        self.truth = series_truth(store, measure_id, area, group)
        self.name = f"{measure_id} {area}" + (f" {group}=" if group else "")
        self.grouped = group is not None
        self.span = span
        for value in sorted(self.truth, key=str):
            self.__missing__(value)

    def __missing__(self, value: str | None) -> Problem:
        cells = self.truth.get(value, {})
        counts = {m: cells.get(m, (0, 0))[0] for m in self.months}
        keys = {m: cells.get(m, (0, 0))[1] % self.span for m in self.months}
        name = self.name + (str(value) if self.grouped else "")
        made = self[value] = Problem(name, list(self.months), [], counts, keys)
        return made


def _years(months: list[str]) -> list[list[str]]:
    runs: dict[str, list[str]] = defaultdict(list)
    for month in months:
        runs[financial_year(month)].append(month)
    return list(runs.values())


def _runs(months: list[str]) -> Iterable[list[str]]:
    """Every run of months inside each financial year (78 in a whole one)."""
    for year in _years(months):
        for first in range(len(year)):
            for last in range(first, len(year)):
                yield year[first : last + 1]


def any_window(
    store: Store,
    measure_id: str,
    area: str,
    ptable: PTable,
    group: str | None = None,
) -> list[Problem]:
    """The old public interface, through the engine: every run of months
    inside each financial year (``by="year"``, ``first``, ``last``), each its
    own perturbed cell (``lattice=False``: the engine's any-window control;
    ``ptable`` is the table it publishes with: for a store's public, its
    own layout, ``Rules.ptable_for``)."""
    problems = _Problems(store, measure_id, area, group, ptable.key_range)
    for run in _runs(problems.months):
        for point in measure_series(
            store, measure_id, area, by="year", group=group, first=run[0],
            last=run[-1], publishing=ptable, lattice=False,
        ):  # fmt: skip
            published = None if point.suppressed else round(point.numerator or 0)
            problems[point.group].add(run, published, f"{run[0]} to {run[-1]}")
    return list(problems.values())


def lattice(
    store: Store,
    measure_id: str,
    area: str,
    rules: results.Rules,
    group: str | None = None,
    *,
    windows: bool = True,
) -> list[Problem]:
    """Exactly what ``results.series`` answers the public: by month,
    quarter, year and rolling 12 months, and (``windows``) every run of
    months inside each financial year asked as ``first``/``last``; each
    refusal is counted in ``Problem.refused``.

    Two kinds of row carry no evidence and are left out: a withheld partial
    period (withheld for being partial, not for its count) and a rolling 12
    months computed from the published quarters, which adds no noise draw of
    its own (detected: every rolling year ends a quarter, and each whose four
    quarters are published equals their sum).
    """
    problems = _Problems(store, measure_id, area, group, rules.ptable.key_range)
    months = problems.months
    refused = 0

    def ask(**how: object) -> list[results.Row]:
        nonlocal refused
        try:
            return results.series(
                store, measure_id, area, group=group, audience="public", rules=rules,
                **how,  # type: ignore[arg-type]
            ).rows  # fmt: skip
        except results.ResultError:
            refused += 1
            return []

    label_of = {"quarter": financial_quarter, "year": financial_year}
    quarters: dict[tuple[str | None, str], int | None] = {}
    for by in ("month", "quarter", "year"):
        for row in ask(by=by):
            atoms = [
                m for m in months if m == row.period or label_of.get(by, str)(m)
                == row.period
            ]  # fmt: skip
            if by != "month" and row.partial and row.withheld:
                continue
            published = None if row.withheld else round(row.numerator or 0)
            problems[row.group].add(atoms, published, f"{by} {row.period}")
            if by == "quarter":
                quarters[(row.group, row.period)] = published
    rolling = ask(by="rolling12")
    if not _derived_from_quarters(rolling, months, quarters):
        for row in rolling:
            end = months.index(row.period)
            atoms = months[end - 11 : end + 1]
            published = None if row.withheld else round(row.numerator or 0)
            problems[row.group].add(atoms, published, f"rolling12 to {row.period}")
    if windows:
        for run in _runs(months):
            for row in ask(by="year", first=run[0], last=run[-1]):
                published = None if row.withheld else round(row.numerator or 0)
                problems[row.group].add(run, published, f"{run[0]} to {run[-1]}")
    for problem in problems.values():
        problem.refused = refused
    return list(problems.values())


def _derived_from_quarters(
    rolling: list[results.Row],
    months: list[str],
    quarters: dict[tuple[str | None, str], int | None],
) -> bool:
    for row in rolling:
        end = months.index(row.period)
        spanned = months[end - 11 : end + 1]
        labels = sorted({financial_quarter(m) for m in spanned})
        ends_quarter = end + 1 == len(months) or financial_quarter(
            months[end + 1]
        ) != financial_quarter(row.period)
        shown = [quarters.get((row.group, label)) for label in labels]
        if not ends_quarter:
            return False
        if len(labels) != 4 or None in shown:
            continue
        if row.withheld or round(row.numerator or 0) != sum(
            s for s in shown if s is not None
        ):
            return False
    return True


def monthly_prior(
    store: Store, measure_id: str, level: str, group: str | None = None
) -> npt.NDArray[np.float64]:
    """The attacker's prior for one month's count: the histogram of the
    measure's true monthly counts over every area of ``level`` (and every
    value of ``group``), months without records counted as 0, up to the
    largest count plus 10. An attacker with general knowledge (last year's
    published tables, a national rate) knows roughly this much; taking it
    from the store's own truth is generous to the attacker."""
    measure = get_measure(measure_id)
    months = measure_months(store, measure, None)
    counts = lsoa_month_counts(store, measure, group, None).to_pylist()
    codes = [area.code for area in geography.areas_of_level(store, level)]
    lsoa_area = {
        lsoa: code
        for code, lsoas in geography.lsoas_in_each(store, codes).items()
        for lsoa in lsoas
    }
    cells: dict[tuple[str, str, object], int] = defaultdict(int)
    for row in counts:
        if row["lsoa_code"] in lsoa_area:
            cells[(lsoa_area[row["lsoa_code"]], str(row["month"]), row["grp"])] += int(
                row["n"]
            )
    values = {key[2] for key in cells} or {None}
    empty = len(codes) * len(months) * len(values) - len(cells)
    largest = max(cells.values(), default=0)
    return prior_from_counts([*cells.values(), *[0] * empty], largest + 10)


# -- a small synthetic store ---------------------------------------------------

LOOKUP_HEADER = ["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"]
DISTRICT = "E08900001"


def ward_codes(wards: int) -> list[str]:
    return [f"E05900{w:03d}" for w in range(1, wards + 1)]


def sparse_store(
    folder: Path,
    *,
    wards: int = 4,
    lsoas_per_ward: int = 3,
    years: int = 3,
    seed: int = 26,
) -> Store:
    """A SYNTHETIC store of domestic abuse related violence: ``wards`` wards
    of ``lsoas_per_ward`` LSOAs in one district, whole financial years from
    April 2021, a ward's mean from 1.5 to 9 crimes a month (most months
    withheld alone, most years published), victims three in four female.
    Loaded through the ordinary loaders, so every record has its key."""
    from saferplaces.ingest.loader import run_load
    from saferplaces.ingest.sources import get_source
    from saferplaces.vocabulary import AGE_BANDS, ETHNICITIES
    from tests.analytics.sparse_crimes import with_secret

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    lookup = folder / "lookup.csv"
    crimes = folder / "local-crimes.csv"
    lsoas: list[str] = []
    with lookup.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LOOKUP_HEADER)
        for w, ward in enumerate(ward_codes(wards), start=1):
            for n in range(1, lsoas_per_ward + 1):
                lsoa = f"E019{w:03d}{n:02d}"
                lsoas.append(lsoa)
                writer.writerow(
                    [lsoa, f"Synthetic {w:03d}{n}", ward, f"Ward {w}", DISTRICT,
                     "Synthetic district"]
                )  # fmt: skip
    ward_means = np.linspace(1.5, 9.0, wards)
    means = {
        lsoa: ward_means[i // lsoas_per_ward] * share
        for i, (lsoa, share) in enumerate(
            zip(lsoas, rng.dirichlet([3.0] * lsoas_per_ward, wards).reshape(-1),
                strict=True)
        )
    }  # fmt: skip
    serial = 0
    with crimes.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["crime_reference", "recorded_date", "force", "offence_code", "ho_group",
             "ho_subgroup", "lsoa_code", "location", "domestic_abuse", "hate_crime",
             "hate_strands", "victim_age_band", "victim_sex", "victim_ethnicity",
             "victim_id"]
        )  # fmt: skip
        for index in range(12 * years):
            year, month = 2021 + (index + 3) // 12, (index + 3) % 12 + 1
            for lsoa, mean in means.items():
                for _ in range(rng.poisson(mean)):
                    serial += 1
                    sex = rng.choice(["female", "male"], p=[0.75, 0.25])
                    writer.writerow(
                        [f"26/{serial}/21", f"{year}-{month:02d}-"
                         f"{rng.integers(1, 29):02d}", "West Midlands Police", "8N",
                         "Violence against the person", "Violence with injury",
                         lsoa, "Synthetic Road", "Y", "N", "",
                         rng.choice(AGE_BANDS[2:7]), sex, rng.choice(ETHNICITIES),
                         f"v-{serial:08d}"]
                    )  # fmt: skip
    # A known secret: the same record keys, layout and figures every run.
    store = with_secret(
        Store(folder / "store", recheck_seconds=3600), f"fitting-attack-{seed}"
    )
    run_load(store, get_source("geography"), [lookup])
    run_load(store, get_source("local-crimes"), [crimes])
    return store
