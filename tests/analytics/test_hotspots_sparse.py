"""Gi* on sparse counts (issue 30, fault 10): Selly Oak's 44 serious road
collisions in a year gave 40 "hot" cells, one for nearly every collision:
the normal approximation of Gi* calls a lone incident hot when incidents
are rare. Where counts are small the conditional permutation test is used
by default, and no cell is hot without an incident of its own (so none with
no incident in it or its neighbours)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from saferplaces.analytics import hotspots

SIDE = 30  # cells of 250 m: the grid around the incidents
DISTRICT = slice(5, 25)  # a district of 20 x 20 cells (25 km2)


def district_mask() -> np.ndarray:
    inside = np.zeros((SIDE, SIDE), bool)
    inside[DISTRICT, DISTRICT] = True
    return inside


def scattered_collisions(within: int = 10, beyond: int = 34, seed: int = 44):
    """Collisions one by one at random cells: ``within`` the district and
    ``beyond`` it (counted in the district's LSOAs but placed outside it,
    as the demo's were: of Selly Oak's 44, 36 were hot cells on their own).
    No cluster: nothing here should be hot."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((SIDE, SIDE))
    inside = district_mask()
    for cells, n in ((np.flatnonzero(inside), within),
                     (np.flatnonzero(~inside), beyond)):  # fmt: skip
        np.add.at(counts.reshape(-1), rng.choice(cells, n, replace=False), 1)
    return counts


def area_of(counts: np.ndarray) -> np.ndarray:
    """As hotspot_report.cells_of_area: the district's cells, and any cell
    holding an incident counted in it."""
    return district_mask() | (counts > 0)


def test_scattered_collisions_make_no_hot_spot():
    counts = scattered_collisions()
    assert counts.sum() == 44
    result = hotspots.gi_star(counts, mask=area_of(counts))
    assert result.p_sim is not None, "sparse counts are tested by permutation"
    assert not result.hot.any(), f"{int(result.hot.sum())} hot cells by chance"


def test_the_normal_approximation_on_them_calls_lone_collisions_hot():
    """Why the default changed: asked for explicitly, the normal curve still
    finds a "hot spot" in cells whose only neighbours are off the area."""
    counts = scattered_collisions()
    normal = hotspots.gi_star(counts, mask=area_of(counts), permutations=0)
    assert normal.p_sim is None
    assert normal.hot.sum() >= 5


def test_a_real_cluster_among_sparse_collisions_is_still_found():
    counts = scattered_collisions()
    counts[14:16, 14:16] += 3  # twelve collisions at one junction
    result = hotspots.gi_star(counts, mask=area_of(counts))
    assert result.hot[14:16, 14:16].all()
    assert result.hot.sum() == 4  # the junction's cells: the rest are empty


def test_enough_permutations_for_one_cell_to_pass_the_false_discovery_rate():
    # 1 / (P + 1) <= 0.05 / cells: 434 cells need P >= 8,679.
    assert hotspots.permutations_for(434, 0.05) == 8_999
    assert hotspots.permutations_for(10, 0.05) == 999
    assert hotspots.permutations_for(1_000_000, 0.05) == 99_999


@pytest.mark.parametrize("permutations", [None, 0])
def test_no_cell_is_hot_without_an_incident_of_its_own(permutations):
    """The cluster's empty neighbours (sums of 3 to 12 around them) are part
    of its hot spot, not hot spots to send a tasking group to."""
    counts = scattered_collisions()
    counts[14:16, 14:16] += 3
    result = hotspots.gi_star(counts, mask=area_of(counts), permutations=permutations)
    near = hotspots.ndimage.convolve(counts, hotspots.QUEEN, mode="constant")
    assert result.hot[14:16, 14:16].all()
    assert not (result.hot & (counts == 0)).any()
    assert not (result.hot & (near == 0)).any()
    # Forced: a p-value below alpha for an empty cell (as esda's folding of
    # ties gives an empty cell among empty ones, p_sim = 0.001) is not hot.
    forced = hotspots.GiStar(
        z=np.ones_like(counts), p=np.zeros_like(counts), p_sim=None,
        p_fdr=np.zeros_like(counts), alpha=0.05, occupied=result.occupied,
    )  # fmt: skip
    assert not (forced.hot & (counts == 0)).any()
    assert forced.hot[counts > 0].all()


def test_small_is_a_mean_below_five_a_cell():
    assert hotspots.counts_are_small(np.full((10, 10), 4.9))
    assert not hotspots.counts_are_small(np.full((10, 10), 5.0))
    dense = np.random.default_rng(1).poisson(8.0, (12, 12)).astype(float)
    assert hotspots.gi_star(dense).p_sim is None


def test_why_five_the_normal_tail_of_a_neighbourhood_of_45_is_too_rare():
    """The arithmetic behind SMALL_MEAN_COUNT's comment: nine cells of mean
    5 expect 45 incidents; P(X >= 67) for a Poisson count of mean 45, and
    the normal curve's answer with the same mean and variance."""
    poisson = stats.poisson.sf(66, 45)
    normal = stats.norm.sf((67 - 45) / np.sqrt(45))
    assert poisson == pytest.approx(0.0013, abs=1e-4)
    assert normal == pytest.approx(0.00052, abs=1e-5)
    assert poisson / normal == pytest.approx(2.5, abs=0.1)


def test_the_default_draws_are_fixed():
    """A pack drawn twice reads the same: the default seed is fixed."""
    counts = scattered_collisions()
    first = hotspots.gi_star(counts, mask=area_of(counts))
    again = hotspots.gi_star(counts, mask=area_of(counts))
    np.testing.assert_array_equal(first.p_sim, again.p_sim)


def test_permutation_p_values_equal_the_exact_conditional_answer():
    """A known answer for sparse counts: with at most one incident a cell,
    the sum of a cell's k - 1 neighbours drawn without replacement from the
    other n - 1 cells is hypergeometric. Our folded pseudo p-value (ties
    count on either side) estimates min(P(S >= s), P(S <= s)); each must lie
    within four Monte Carlo standard errors of it. (esda's own p_sim is no
    reference here: its floating point splits ties, and an empty cell among
    empty cells gets its smallest p-value, 0.001.)"""
    rng = np.random.default_rng(30)
    counts = np.zeros((20, 20))
    counts.reshape(-1)[rng.choice(400, 44, replace=False)] = 1
    counts[9:11, 9:11] = 1  # and four together
    permutations = 9_999
    result = hotspots.gi_star(counts, permutations=permutations, seed=3)
    n, total = counts.size, int(counts.sum())
    cardinality = hotspots.ndimage.convolve(
        np.ones_like(counts), hotspots.QUEEN, mode="constant"
    )
    sums = hotspots.ndimage.convolve(counts, hotspots.QUEEN, mode="constant")
    drawn = (cardinality - 1).astype(int)
    ones_left = total - counts.astype(int)
    neighbours = (sums - counts).astype(int)
    upper = stats.hypergeom.sf(neighbours - 1, n - 1, ones_left, drawn)
    lower = stats.hypergeom.cdf(neighbours, n - 1, ones_left, drawn)
    exact = np.minimum(upper, lower)
    expected = (permutations * exact + 1) / (permutations + 1)
    error = np.sqrt(exact * (1 - exact) / permutations) + 1 / (permutations + 1)
    gap = np.abs(result.p_sim - expected)
    assert (gap <= 4 * error).all(), np.argwhere(gap > 4 * error)[:5]
    assert exact.min() < 0.01  # the little cluster is in the upper tail
