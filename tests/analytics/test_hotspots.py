"""Hotspots (issue 15): known answers for counts, kernel density and the
classification rules; Gi* against PySAL esda; the false discovery rate
against statsmodels."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

from saferplaces.analytics import hotspots
from saferplaces.analytics.hotspots import Grid

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")

ESDA_RECORDER = Path(__file__).parents[1] / "fixtures" / "hotspots" / "record_esda.py"
ESDA_RECORD = ESDA_RECORDER.with_name("esda-permutation-p-values.json")


def test_points_are_counted_in_their_cells():
    x = np.array([405_010.0, 405_090, 405_110, 405_350, 405_350])
    y = np.array([286_010.0, 286_020, 286_030, 286_150, 286_150])
    grid = Grid.covering(x, y, 100)
    assert (grid.x0, grid.y0, grid.columns, grid.rows) == (405_000, 286_000, 4, 2)
    assert hotspots.grid_counts(grid, x, y).tolist() == [[2, 1, 0, 0], [0, 0, 0, 2]]
    assert grid.cell_ids()[1, 3] == "405300-286100"


def test_longitude_and_latitude_go_to_the_national_grid():
    # The national grid's true origin, 49N 2W, is (400000, -100000) on the
    # OSGB36 datum; WGS84 differs from it by about a hundred metres.
    x, y = hotspots.to_bng([-2.0], [49.0])
    assert abs(x[0] - 400_000) < 200
    assert abs(y[0] + 100_000) < 200


def test_kernel_density_of_points_at_cell_centres_is_exact():
    grid = Grid(0, 0, 100, 21, 21)
    x, y = np.array([1050.0, 1050]), np.array([1050.0, 1250])
    h = 150.0
    density = hotspots.kernel_density(grid, x, y, bandwidth=h)
    cx, cy = grid.centres()
    expected = (
        sum(
            np.exp(-((cx - px) ** 2 + (cy - py) ** 2) / (2 * h * h))
            / (2 * math.pi * h * h)
            for px, py in zip(x, y, strict=True)
        )
        * 1e6
    )
    # Exact within the kernel's reach (4 bandwidths); beyond it, nil.
    np.testing.assert_allclose(density, expected, rtol=1e-6, atol=1e-3 * expected.max())
    near = expected > 0.01 * expected.max()
    np.testing.assert_allclose(density[near], expected[near], rtol=1e-9)
    # Incidents per km^2 over the grid's 4.41 km^2 add up to the two points.
    assert density.sum() * 0.01 == pytest.approx(2, rel=0.02)


def test_the_default_bandwidth_is_the_normal_reference_rule():
    x = np.array([0.0, 100, 200, 300])
    y = np.array([0.0, 0, 100, 100])
    sigma = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    assert hotspots.default_bandwidth(x, y) == pytest.approx(sigma * 4 ** (-1 / 6))


def test_dual_density_is_crimes_per_resident():
    grid = Grid(0, 0, 100, 5, 5)
    crimes = (np.array([250.0, 250]), np.array([250.0, 250]), None)
    residents = (np.array([250.0]), np.array([250.0]), np.array([4.0]))
    ratio = hotspots.dual_kernel_density(grid, crimes, residents, 120)
    assert ratio[2, 2] == pytest.approx(0.5)


def random_counts(rows=12, columns=10, seed=7):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(2.0, size=(rows, columns)).astype(float)
    counts[3:6, 4:7] += rng.poisson(6.0, size=(3, 3))  # a planted cluster
    return counts


def esda_g(counts, permutations=0, seed=None):
    rows, columns = counts.shape
    w = libpysal.weights.lat2W(rows, columns, rook=False)
    return esda.G_Local(
        counts.flatten(), w, transform="B", star=True,
        permutations=permutations, seed=seed,
    )  # fmt: skip


def test_gi_star_z_scores_equal_esda():
    counts = random_counts()
    # The normal approximation asked for (these counts are small enough
    # that permutations are the default).
    ours = hotspots.gi_star(counts, permutations=0)
    theirs = esda_g(counts)
    np.testing.assert_allclose(ours.z.flatten(), theirs.Zs, rtol=0, atol=1e-9)
    # esda's p_norm is one-sided; ours is two-sided.
    np.testing.assert_allclose(ours.p.flatten(), 2 * theirs.p_norm, atol=1e-12)
    assert ours.hot[4, 5]
    # The cells called hot and cold agree with esda's z-scores put through
    # the same false discovery rate.
    from statsmodels.stats.multitest import multipletests

    significant = multipletests(2 * theirs.p_norm, alpha=0.05, method="fdr_bh")[0]
    np.testing.assert_array_equal(ours.hot.flatten(), significant & (theirs.Zs > 0))
    np.testing.assert_array_equal(ours.cold.flatten(), significant & (theirs.Zs < 0))


def recorded_esda_p_sim(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A grid and esda's permutation p-values for it, recorded by
    tests/fixtures/hotspots/record_esda.py (esda's numba compiles for about
    50 s in each run; its answer for fixed inputs and seed is fixed)."""
    record = json.loads(ESDA_RECORD.read_text())
    assert record["esda"] == esda.__version__, "esda changed: run record_esda.py"
    entry = record["grids"][name]
    counts_seed, jitter_seed = entry["seeds"]
    # Values without ties: esda's floating point splits ties arbitrarily.
    counts = random_counts(20, 20, seed=counts_seed)
    counts += np.random.default_rng(jitter_seed).random((20, 20))
    return counts, np.array(entry["p_sim"])


def test_the_recorded_grids_are_the_ones_these_tests_build():
    spec = importlib.util.spec_from_file_location("record_esda", ESDA_RECORDER)
    recorder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recorder)
    for name, seeds in recorder.GRIDS.items():
        counts, _ = recorded_esda_p_sim(name)
        np.testing.assert_array_equal(recorder.grid(*seeds), counts)


def test_permutation_p_values_agree_with_esda_within_monte_carlo_error():
    counts, esdas = recorded_esda_p_sim("distinct values")
    mine = hotspots.gi_star(counts, permutations=999, seed=1).p_sim.flatten()
    # Two independent estimates of the same p: their difference has a
    # standard error of sqrt(2 p (1 - p) / 999).
    error = np.sqrt(2 * esdas * (1 - esdas) / 999) + 2 / 1000
    within = np.abs(mine - esdas) <= 4 * error
    assert within.mean() >= 0.99, np.flatnonzero(~within)


def test_the_shared_null_for_many_values_agrees_with_esda_too(monkeypatch):
    """Past MOST_GROUPS distinct values cells share one null per number of
    neighbours (the city- and nation-sized path)."""
    monkeypatch.setattr(hotspots, "MOST_GROUPS", 10)
    counts, esdas = recorded_esda_p_sim("shared null")
    mine = hotspots.gi_star(counts, permutations=999, seed=1).p_sim.flatten()
    error = np.sqrt(2 * esdas * (1 - esdas) / 999) + 2 / 1000
    assert (np.abs(mine - esdas) <= 4 * error).mean() >= 0.99


def test_the_false_discovery_rate_equals_statsmodels():
    from statsmodels.stats.multitest import multipletests

    ours = hotspots.gi_star(random_counts(), permutations=0)
    _, expected, _, _ = multipletests(ours.p.flatten(), method="fdr_bh")
    np.testing.assert_allclose(ours.p_fdr.flatten(), expected, atol=1e-12)


def test_cells_off_the_area_are_neither_observations_nor_neighbours():
    counts = random_counts()
    mask = np.ones(counts.shape, bool)
    mask[:, -1] = False
    plain = hotspots.gi_star(counts, mask=mask)
    counts[:, -1] = 1_000  # off the area: changes nothing
    again = hotspots.gi_star(counts, mask=mask)
    np.testing.assert_array_equal(plain.z, again.z)
    assert np.isnan(plain.z[:, -1]).all()
    # The same as esda on the area's own cells.
    inside = counts[:, :-1]
    np.testing.assert_allclose(plain.z[:, :-1].flatten(), esda_g(inside).Zs, atol=1e-9)


@pytest.mark.parametrize(
    ("hot_periods", "cold_periods", "expected"),
    [
        ({1, 2, 3, 4, 5, 6, 7, 8, 9}, set(), "persistent hotspot"),
        ({9, 10}, set(), "emerging hotspot"),
        ({1, 2, 3}, set(), "former hotspot"),
        ({2, 5, 9}, set(), "intermittent hotspot"),
        (set(), set(), "none"),
        ({1, 2, 3}, {9, 10}, "mixed"),
        (set(), {1, 2, 3, 4, 5, 6, 7, 8}, "persistent coldspot"),
    ],
)
def test_classification_rules_on_hand_made_sequences(
    hot_periods, cold_periods, expected
):
    hot = np.array([[period in hot_periods] for period in range(1, 11)])
    cold = np.array([[period in cold_periods] for period in range(1, 11)])
    assert hotspots.classify(hot, cold).tolist() == [expected]


def test_tied_counts_count_as_extreme_on_either_side():
    """A cell whose neighbourhood sum ties every permuted sum is not
    significant either way (all cells equal: p = 1)."""
    flat = hotspots.gi_star(
        np.full((5, 5), 2.0) + np.eye(5) * 0, permutations=99, seed=0
    )
    assert np.nanmin(flat.p_sim) == 1.0


def test_change_between_two_periods():
    result = hotspots.change([[10, 0, 5]], [[30, 0, 6]])
    assert result.difference.tolist() == [[20, 0, 1]]
    assert result.p[0, 0] < 0.01
    assert result.p[0, 1] == 1.0
    assert result.p[0, 2] > 0.5
