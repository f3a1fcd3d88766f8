"""The synthetic demo partnership: SYNTHETIC DATA, seeded, the same every run.

``build_demo`` writes the demo's files (all named ``synthetic-*``) and loads
them through the same loaders as real data. No Django here.
"""

from __future__ import annotations

import random
from pathlib import Path

from saferplaces.analytics.store import Store
from saferplaces.demo.concerns import write_concerns
from saferplaces.demo.crimes import write_crimes
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
from saferplaces.ingest.loader import LoadReport, Progress, run_load
from saferplaces.ingest.sources import Source, get_source
from saferplaces.ingest.surveys import load_questions, with_questions

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
        (get_source("local-crimes"), local),
        (get_source("local-asb"), asb),
        (get_source("reoffending"), [write_reoffending(folder, plan, SEED)]),
        (get_source("stats19-collisions"), [collisions]),
        (get_source("stats19-casualties"), [casualties]),
        (get_source("local-concerns"), [write_concerns(folder, plan, SEED)]),
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
