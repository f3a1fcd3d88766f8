"""The synthetic demo partnership: SYNTHETIC DATA, seeded, the same every run.

``seed`` is the one place the demo is seeded: ``saferplaces demo`` and the
tests that need the whole demo call it. ``build_demo`` writes the demo's
files (all named ``synthetic-*``) and loads them through the same loaders as
real data; it needs no Django, and neither does importing this package (the
seeders of the operational data, in this package's other modules, are
imported when ``seed`` runs). The apps know nothing of the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from saferplaces.analytics.store import Store
from saferplaces.demo.concerns import write_concerns
from saferplaces.demo.crimes import write_crimes
from saferplaces.demo.deprivation import write_deprivation
from saferplaces.demo.outcomes import (
    write_reoffending,
    write_road_casualties,
    write_surveys,
)
from saferplaces.demo.partnership import (
    SEED,
    layout,
    write_boundaries,
    write_geography,
    write_population,
    write_postcodes,
)
from saferplaces.demo.police_records import write_outcomes, write_stop_searches
from saferplaces.ingest.loader import LoadReport, Progress, run_load
from saferplaces.ingest.sources import Source, get_source
from saferplaces.ingest.surveys import load_questions, with_questions

if TYPE_CHECKING:
    from saferplaces.demo.users import DemoAccount
    from saferplaces.partnership.models import Plan
    from saferplaces.tasking.models import ProblemSolving

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: the saferplaces demo partnership. Ward names are real; "
    "every code, boundary, population and crime is invented."
)


def write_demo_files(folder: Path) -> list[tuple[Source, list[Path]]]:
    """Generate every demo file into ``folder``; returns them by source."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README-SYNTHETIC.txt").write_text(SYNTHETIC_NOTICE + "\n")
    rng = random.Random(SEED)
    plan = layout(rng)
    street, local, asb = write_crimes(folder, plan, SEED)
    collisions, casualties = write_road_casualties(folder, plan, SEED)
    loads = [
        (get_source("geography"), write_geography(folder, plan)),
        (get_source("boundaries"), [write_boundaries(folder, plan)]),
        (get_source("population"), [write_population(folder, plan, rng)]),
        (get_source("postcodes"), [write_postcodes(folder, plan)]),
        (get_source("police-uk-street"), street),
        (get_source("police-uk-outcomes"), write_outcomes(folder, street, SEED)),
        (
            get_source("police-uk-stop-search"),
            write_stop_searches(folder, plan, SEED),
        ),
        (get_source("local-crimes"), local),
        (get_source("local-asb"), asb),
        (get_source("reoffending"), [write_reoffending(folder, plan, SEED)]),
        (get_source("stats19-collisions"), [collisions]),
        (get_source("stats19-casualties"), [casualties]),
        (get_source("local-concerns"), [write_concerns(folder, plan, SEED)]),
        (get_source("imd"), [write_deprivation(folder, plan, SEED)]),
    ]
    for responses, questions in write_surveys(folder, plan, SEED):
        survey = with_questions(get_source("survey"), load_questions(questions))
        loads.append((survey, [responses]))
    return loads


def build_demo(data_dir: Path, progress: Progress | None = None) -> list[LoadReport]:
    """Write the demo files under ``data_dir/demo`` and load them.

    Safe to run again: unchanged files are recognised by checksum and skipped.
    """
    loads = write_demo_files(data_dir / "demo")
    store = Store(data_dir / "store")
    return [run_load(store, source, paths, progress) for source, paths in loads]


@dataclass
class Seeded:
    """What ``seed`` made or found (it is safe to run again)."""

    plan: Plan
    plan_is_new: bool
    reports: list[LoadReport] = field(default_factory=list)
    problem: ProblemSolving | None = None
    accounts: list[DemoAccount] = field(default_factory=list)
    cases_made: int = 0
    cases_published: LoadReport | None = None
    outcomes_published: LoadReport | None = None


def seed(
    data_dir: Path,
    *,
    data: bool = True,
    users: bool = True,
    cases: bool = True,
    progress: Progress | None = None,
) -> Seeded:
    """Seed the SYNTHETIC demo partnership; safe to run again.

    In order: the data files under ``data_dir`` loaded into its store and
    the problem-solving record assessed from them (``data``); the seed plan
    with its invented progress, and the neighbouring partnership's draft;
    one user per role in their partnerships and groups (``users``); the
    casework, published de-identified to the store (``cases``: its officers
    are the demo's case workers, so it follows the users).
    """
    from saferplaces.demo.cases import demo_postcodes, load_demo_cases
    from saferplaces.demo.plan import load_demo_plan
    from saferplaces.demo.problem import load_demo_problem
    from saferplaces.demo.users import seed_users

    store = Store(data_dir / "store")
    reports = build_demo(data_dir, progress) if data else []
    plan, new = load_demo_plan()
    seeded = Seeded(plan=plan, plan_is_new=new, reports=reports)
    if data:
        seeded.problem = load_demo_problem(store)
    if users:
        seeded.accounts = seed_users()
    if cases:
        from saferplaces.cases.publish import publish_cases, publish_referral_outcomes

        seeded.cases_made = load_demo_cases(demo_postcodes(store))
        # The dashboard's cases-opened and referral-outcomes measures count
        # them, de-identified.
        seeded.cases_published = publish_cases(store)
        seeded.outcomes_published = publish_referral_outcomes(store)
    return seeded
