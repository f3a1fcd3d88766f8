"""Benchmark: hotspot statistics against their references, in the same run.

Gi* with 999 conditional permutations (saferplaces.analytics.hotspots)
against PySAL esda's G_Local(star=True, transform="B", permutations=999)
with numba installed (its fast path; n_jobs=1, as ours runs on one core),
on three grids of Poisson counts with a planted cluster:

  * 100 x 100 cells;
  * the SYNTHETIC demo's city at 250 m cells (its street crime, one year;
    built once in --keep DIR);
  * a national-scale grid: 1 km cells over England and Wales, about 150,000
    cells (a 390 x 385 rectangle).

For each it prints our time on the counts (few distinct values: one null
per value and number of neighbours) and on the counts jittered (every value
distinct: one shared null per number of neighbours past MOST_GROUPS),
esda's time and the ratio to the slower of ours, the largest difference of
the analytical z-scores, and the share of cells whose permutation p-values
agree within Monte Carlo error (on values jittered so that there are no
ties, which esda's floating point splits arbitrarily). Weights for esda are
built before the clock starts. Then kernel density on the demo's points at
250 m against scikit-learn's KernelDensity (the same isotropic Gaussian,
exact) with the same bandwidth: both times, the ratio and the largest
relative difference where the density is above 1% of its peak.

    python bench/hotspots.py [--keep DIR] [--skip-national]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from saferplaces.analytics import hotspots

PERMUTATIONS = 999


def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def planted(rows: int, columns: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(1.5, size=(rows, columns)).astype(float)
    r, c = rows // 3, columns // 3
    counts[r : r + 5, c : c + 5] += rng.poisson(5, size=(5, 5))
    return counts


def compare_gi(name: str, counts: np.ndarray) -> None:
    import esda
    import libpysal

    counts = counts.astype(float)  # esda's numba path takes floats only
    rows, columns = counts.shape
    w = libpysal.weights.lat2W(rows, columns, rook=False)
    jittered = counts + np.random.default_rng(9).random(counts.shape)
    # Warm both (numba compiles on first use).
    hotspots.gi_star(counts[:10, :10], permutations=9)
    small = libpysal.weights.lat2W(10, 10, rook=False)
    esda.G_Local(counts[:10, :10].flatten(), small, transform="B", star=True,
                 permutations=9, n_jobs=1)  # fmt: skip
    counts_s, _ = timed(
        lambda: hotspots.gi_star(counts, permutations=PERMUTATIONS, seed=1)
    )
    ours_s, ours = timed(
        lambda: hotspots.gi_star(jittered, permutations=PERMUTATIONS, seed=1)
    )
    theirs_s, theirs = timed(
        lambda: esda.G_Local(jittered.flatten(), w, transform="B", star=True,
                             permutations=PERMUTATIONS, n_jobs=1, seed=2)
    )  # fmt: skip
    z_gap = float(np.nanmax(np.abs(ours.z.flatten() - theirs.Zs)))
    p, q = ours.p_sim.flatten(), theirs.p_sim
    error = np.sqrt(2 * q * (1 - q) / PERMUTATIONS) + 2 / (PERMUTATIONS + 1)
    agree = float((np.abs(p - q) <= 4 * error).mean())
    print(
        f"{name:<32} {counts.size:>8,} {counts_s:>9.3f} {ours_s:>9.3f} "
        f"{theirs_s:>9.2f} {theirs_s / max(counts_s, ours_s):>7.1f}x "
        f"{z_gap:>9.1e} {agree:>8.1%}"
    )


def demo_points(keep: Path | None) -> tuple[np.ndarray, np.ndarray]:
    from saferplaces.analytics.store import Store
    from saferplaces.demo import build_demo

    folder = keep or Path(tempfile.mkdtemp(prefix="saferplaces-bench-"))
    if not (folder / "store").exists():
        print(f"building the SYNTHETIC demo in {folder} ...")
        build_demo(folder)
    rows = Store(folder / "store").query(
        "SELECT longitude, latitude FROM street_crime "
        "WHERE month BETWEEN '2014-04' AND '2015-03' AND longitude IS NOT NULL"
    )
    return hotspots.to_bng(
        rows.column("longitude").to_numpy(), rows.column("latitude").to_numpy()
    )


def compare_kde(x: np.ndarray, y: np.ndarray) -> None:
    from sklearn.neighbors import KernelDensity

    grid = hotspots.Grid.covering(x, y, 250)
    # Points at their cells' centres, so both estimate the same thing.
    cells = grid.cell_of(x, y)
    cx, cy = grid.centres()
    px, py = cx.flatten()[cells], cy.flatten()[cells]
    h = hotspots.default_bandwidth(px, py)
    ours_s, ours = timed(lambda: hotspots.kernel_density(grid, px, py, h))
    model = KernelDensity(bandwidth=h, kernel="gaussian").fit(np.c_[px, py])
    theirs_s, log_density = timed(
        lambda: model.score_samples(np.c_[cx.flatten(), cy.flatten()])
    )
    theirs = np.exp(log_density).reshape(grid.shape) * len(px) * 1e6
    near = theirs > 0.01 * theirs.max()
    gap = float(np.max(np.abs(ours[near] - theirs[near]) / theirs[near]))
    print(
        f"{'KDE, demo city at 250 m':<34} {grid.rows * grid.columns:>8,} "
        f"{ours_s:>9.3f} {theirs_s:>9.3f} {theirs_s / ours_s:>7.1f}x "
        f"{gap:>10.1e}   ({len(px):,} points, h = {h:.0f} m)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Build/reuse the demo here.")
    parser.add_argument("--skip-national", action="store_true")
    options = parser.parse_args()
    warnings.filterwarnings("ignore")
    print(
        "Gi*: ours on the counts and on the jittered values; esda on the "
        "jittered values; ratio = esda / the slower of ours"
    )
    print(
        f"{'grid':<32} {'cells':>8} {'counts s':>9} {'jitter s':>9} "
        f"{'esda s':>9} {'ratio':>8} {'max |dz|':>9} {'p agree':>8}"
    )
    compare_gi("Gi* 999 perms, 100 x 100", planted(100, 100))
    x, y = demo_points(options.keep)
    grid = hotspots.Grid.covering(x, y, 250)
    compare_gi("Gi* 999 perms, demo city 250 m", hotspots.grid_counts(grid, x, y))
    if not options.skip_national:
        compare_gi("Gi* 999 perms, E&W 1 km", planted(390, 385))
    print(
        f"{'':<34} {'cells':>8} {'ours s':>9} {'ref s':>9} {'ratio':>8} {'max rel':>10}"
    )
    compare_kde(x, y)


if __name__ == "__main__":
    main()
