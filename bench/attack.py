"""Benchmark: the fitting attack (issue 26) at full scale.

Builds the SYNTHETIC demo store (or reuses one with --keep), then for
domestic abuse related violence in every ward (and by victim sex with
--groups) runs both solvers of tests/analytics/solvers.py on both
interfaces:

  * any-window: the old public API, every run of months inside each
    financial year, each its own perturbed cell (the engine with
    ``lattice=False``, on the store's own layout);
  * lattice: exactly what ``results.series`` answers the public (months,
    quarters, years, rolling years; the windows asked and refused).

The likelihood solver knows the documented noise and a prior from the
store's true ward-month counts; the exact solver is given the store's
layout, as if it leaked. Each row: months, months withheld when asked
alone, months pinned (posterior 0.9 or more on the truth, or the only
feasible count) by the solver / by the same solver on each month's own
answer alone, wrong calls, seconds, components cut short.

With --joint, instead: the joint solver of tests/analytics/joint_solver.py
(one ward-year at a time, the ward and its LSOAs, months in quarters in
years, a total and its groups with --groups), on the lattice and on the
any-window control, for the first --wards wards and --years years. Each row:
month cells (LSOA and ward, group and total), withheld alone, pinned jointly
/ by the own answer alone (withheld, perturbed), wrong calls.

    python bench/attack.py [--keep DIR] [--wards N] [--groups] [--states N]
    python bench/attack.py --joint [--keep DIR] [--wards N] [--years N] [--groups]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from saferplaces.analytics import geography, results
from saferplaces.analytics.perturbation import default_ptable
from saferplaces.analytics.store import Store
from tests.analytics import joint_solver, solvers

MEASURE = "domestic-violence"


def demo_store(keep: Path | None) -> Store:
    folder = keep or Path(tempfile.mkdtemp(prefix="attack-bench-"))
    if not (folder / "store").exists():
        from saferplaces.demo import build_demo

        started = time.perf_counter()
        build_demo(folder)
        print(f"built the demo store in {time.perf_counter() - started:.0f} s")
    return Store(folder / "store", recheck_seconds=3600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build (or reuse) the demo here")
    parser.add_argument("--wards", type=int, default=0, help="first N wards (0: all)")
    parser.add_argument("--groups", action="store_true", help="also by victim sex")
    parser.add_argument("--states", type=int, default=100_000)
    parser.add_argument("--budget", type=int, default=20_000_000)
    parser.add_argument("--joint", action="store_true", help="the joint solver")
    parser.add_argument("--years", type=int, default=0, help="first N years (0: all)")
    args = parser.parse_args()
    store = demo_store(args.keep)
    if args.joint:
        joint(store, args)
        return
    rules = results.Rules()
    table = rules.ptable_for(store)
    noise = solvers.NoiseModel.documented(default_ptable().threshold)
    prior = solvers.monthly_prior(store, MEASURE, "ward")
    wards = [area.code for area in geography.areas_of_level(store, "ward")]
    wards = wards[: args.wards] if args.wards else wards
    groups = [None, "victim_sex"] if args.groups else [None]
    interfaces = {
        "any-window": lambda ward, group: solvers.any_window(
            store, MEASURE, ward, table, group
        ),
        "lattice": lambda ward, group: solvers.lattice(
            store, MEASURE, ward, rules, group
        ),
    }
    fitters = {
        "likelihood": lambda p: solvers.likelihood_solver(
            p, noise, prior, max_states=args.states
        ),
        "exact": lambda p: solvers.exact_solver(p, table, budget=args.budget),
    }
    totals = {(i, f): solvers.Score() for i in interfaces for f in fitters}
    print(f"{len(wards)} wards, prior over 0 to {len(prior) - 1} a month")
    print(solvers.HEADER)
    for ward in wards:
        for group in groups:
            for interface, ask in interfaces.items():
                problems = ask(ward, group)
                for fitter, solve in fitters.items():
                    for problem in problems:
                        found = solvers.score([problem], solve)
                        totals[(interface, fitter)].add_score(found)
                        label = problem.name.removeprefix(MEASURE + " ")
                        print(found.line(f"{fitter[:3]} {interface[:3]} {label}"[:28]))
    print("\ntotals")
    print(solvers.HEADER)
    for (interface, fitter), total in totals.items():
        print(total.line(f"{fitter}, {interface}"))


def joint(store: Store, args: argparse.Namespace) -> None:
    """The joint solver over wards and years, lattice and any-window."""
    rules = results.Rules()
    table = rules.ptable_for(store)
    noise = solvers.NoiseModel.documented(default_ptable().threshold)
    wards = [area.code for area in geography.areas_of_level(store, "ward")]
    wards = wards[: args.wards] if args.wards else wards
    breakdowns = [None, "victim_sex"] if args.groups else [None]
    priors = {b: joint_solver.group_priors(store, MEASURE, b) for b in breakdowns}
    totals = {
        (i, b): joint_solver.JointScore()
        for i in ("lattice", "any")
        for b in breakdowns
    }
    print(f"{len(wards)} wards, joint solver")
    print(joint_solver.JOINT_HEADER)
    for ward in wards:
        for breakdown in breakdowns:
            lattice = joint_solver.joint_lattice(store, MEASURE, ward, rules, breakdown)
            years = [w.year for w in lattice][: args.years or None]
            control = [
                w
                for year in years
                for w in joint_solver.joint_any_window(
                    store, MEASURE, ward, table, breakdown, year=year
                )
            ]
            for interface, ward_years in (("lattice", lattice), ("any", control)):
                for ward_year in ward_years:
                    if ward_year.year not in years:
                        continue
                    fit = joint_solver.joint_solver(
                        ward_year.problem,
                        joint_solver.atom_priors(ward_year, priors[breakdown]),
                        noise,
                        blocks=joint_solver.default_blocks(ward_year),
                    )
                    found = joint_solver.JointScore()
                    found.add(ward_year, fit, priors[breakdown], noise)
                    totals[(interface, breakdown)].add_score(found)
                    label = f"{interface[:3]} {ward} {ward_year.year}"
                    label += " sex" if breakdown else ""
                    print(found.lines(label)[-1], flush=True)
                    for f in found.beyond:
                        print("   ", joint_solver.explain(ward_year, f)[0])
    print("\ntotals")
    print(joint_solver.JOINT_HEADER)
    for (interface, breakdown), total in totals.items():
        label = f"{interface} {'by sex' if breakdown else 'totals'}"
        print("\n".join(total.lines(label)))


if __name__ == "__main__":
    main()
