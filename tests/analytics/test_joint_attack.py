"""The joint fitting attack (issue 26): one ward-year at a time, every
nesting the public lattice has (a ward's month the sum of its LSOAs'
months, each LSOA's own cells published or withheld; months in quarters in
years; a total the sum of its groups). Solver and harnesses:
tests/analytics/joint_solver.py; the full-scale run: bench/attack.py --joint.

A month cell (an LSOA's or the ward's, a group's or the total) is *pinned*
when the joint posterior of its true count is 0.9 or more; the baseline is
the same cell's posterior from its own published answer alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from saferplaces.analytics import results
from saferplaces.analytics.perturbation import default_ptable
from saferplaces.analytics.store import Store
from tests.analytics import joint_solver as js
from tests.analytics import solvers
from tests.analytics.solvers import NoiseModel, Problem, likelihood_solver

# Run on the second line of `make test` (make test-attack): they take a minute.
pytestmark = pytest.mark.attack

MEASURE = "domestic-violence"
WARDS = solvers.ward_codes(2)
# Beyond what the own answers pin, this many perturbed cells may be pinned.
PERTURBED_ALLOWANCE = 2
# The sampler's marginals against exact ones (Monte Carlo error included).
TOLERANCE = 0.03
NOISE = NoiseModel.documented(default_ptable().threshold)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return solvers.sparse_store(tmp_path_factory.mktemp("joint"), wards=2)


@pytest.fixture(scope="module")
def rules() -> results.Rules:
    return results.Rules()


@pytest.fixture(scope="module")
def priors(store):
    return js.group_priors(store, MEASURE, None)


def _solve(ward_year: js.WardYear, priors, **how) -> js.JointFit:
    return js.joint_solver(
        ward_year.problem, js.atom_priors(ward_year, priors), NOISE,
        blocks=js.default_blocks(ward_year), **how,
    )  # fmt: skip


def test_the_joint_sampler_gives_the_exact_marginals_of_a_single_series(store, rules):
    # One ward's financial year on the lattice (months in quarters in the
    # year: a tree): the sampler's marginals match the forward-backward ones.
    [series] = solvers.lattice(store, MEASURE, WARDS[1], rules, windows=False)
    months = series.atoms[:12]
    inside = [o for o in series.observations if set(o.atoms) <= set(months)]
    problem = Problem("tree", months, inside, {m: series.counts[m] for m in months}, {})
    prior = solvers.monthly_prior(store, MEASURE, "ward")
    exact = likelihood_solver(problem, NOISE, prior)
    assert exact.lost == 0
    want = np.array([exact.posteriors[m].chances for m in months])
    fit = js.joint_solver(problem, np.tile(prior, (12, 1)), NOISE, blocks=[range(12)])
    difference = np.abs(fit.marginals - want).max()
    print(f"\nsingle series: largest difference {difference:.4f}")
    assert difference <= TOLERANCE


@pytest.mark.parametrize("ward", WARDS)
def test_the_joint_sampler_gives_the_exact_marginals_across_lsoas(
    store, rules, priors, ward
):
    # Half a year of one ward and its three LSOAs (ward months the sums of
    # LSOA months: loops, not a tree), small enough for the exact
    # forward-backward over running sums.
    [whole, *_] = js.joint_lattice(store, MEASURE, ward, rules)
    months = whole.months[:6]
    atoms = [a for a in whole.problem.atoms if a[1] in months]
    inside = [o for o in whole.problem.observations if set(o.atoms) <= set(atoms)]
    problem = Problem(
        "half", atoms, inside, {a: whole.problem.counts[a] for a in atoms}, {}
    )
    exact = likelihood_solver(problem, NOISE, priors[js.ALL], max_states=200_000)
    assert exact.lost == 0
    want = np.array([exact.posteriors[a].chances for a in atoms])
    half = js.WardYear(
        problem, whole.ward, whole.year, whole.lsoas, months, whole.groups, None
    )
    fit = _solve(half, priors, draws=200)
    difference = np.abs(fit.marginals - want).max()
    print(f"\n{ward}, {len(atoms)} atoms: largest difference {difference:.4f}")
    assert difference <= TOLERANCE


def _report(label: str, found: js.JointScore, ward_years) -> None:
    print(f"\n{js.JOINT_HEADER}")
    print("\n".join(found.lines(label)))
    names = {w.name: w for w in ward_years}
    for f in found.beyond:
        for w in names.values():
            if set(f.target.atoms) <= set(w.problem.atoms):
                print("\n".join(js.explain(w, f)[:1]))
                break


def test_the_joint_solver_pins_withheld_cells_from_any_window(store, rules, priors):
    # The control: the old interface (every run of months in the year, each
    # its own cell, for the ward and its LSOAs) gives withheld cells away.
    table = rules.ptable_for(store)
    ward_years = js.joint_any_window(store, MEASURE, WARDS[1], table)
    found = js.JointScore()
    for ward_year in ward_years:
        found.add(ward_year, _solve(ward_year, priors, chains=12), priors, NOISE)
    _report("joint, any window", found, ward_years)
    # On the demo store (bench/attack.py --joint) it is 10 in one ward-year.
    assert found.total("pinned_withheld") >= found.total("own_withheld") + 2
    assert found.total("wrong") <= found.total("pinned_withheld") // 5


def test_the_joint_solver_pins_no_withheld_cell_on_the_lattice(store, rules, priors):
    # The denser ward (the sparse one's cells are withheld by any answer).
    ward_years = js.joint_lattice(store, MEASURE, WARDS[1], rules)
    by_sex = js.joint_lattice(store, MEASURE, WARDS[1], rules, "victim_sex")[:1]
    sex_priors = js.group_priors(store, MEASURE, "victim_sex")
    found = js.JointScore()
    for ward_year in ward_years:
        found.add(ward_year, _solve(ward_year, priors), priors, NOISE)
    for ward_year in by_sex:
        found.add(ward_year, _solve(ward_year, sex_priors), sex_priors, NOISE)
    _report("joint, lattice", found, [*ward_years, *by_sex])
    assert found.largest_error <= TOLERANCE
    assert not found.beyond_withheld()
    assert len(found.beyond_perturbed()) <= PERTURBED_ALLOWANCE
