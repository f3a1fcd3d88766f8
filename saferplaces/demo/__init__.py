"""The synthetic demo partnership: SYNTHETIC DATA, seeded, the same every run.

``build_demo`` writes the demo's files (all named ``synthetic-*``) and loads
them through the same loaders as real data. No Django here.
"""

from __future__ import annotations

import random
from pathlib import Path

from saferplaces.analytics.store import Store
from saferplaces.demo.crimes import write_crimes
from saferplaces.demo.partnership import (
    SEED,
    layout,
    write_boundaries,
    write_geography,
    write_population,
)
from saferplaces.ingest.loader import LoadReport, Progress, run_load
from saferplaces.ingest.sources import get_source

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: the saferplaces demo partnership. Ward names are real; "
    "every code, boundary, population and crime is invented."
)


def write_demo_files(folder: Path) -> dict[str, list[Path]]:
    """Generate every demo file into ``folder``; returns them by source."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README-SYNTHETIC.txt").write_text(SYNTHETIC_NOTICE + "\n")
    rng = random.Random(SEED)
    plan = layout(rng)
    street, local = write_crimes(folder, plan, SEED)
    return {
        "geography": write_geography(folder, plan),
        "boundaries": [write_boundaries(folder, plan)],
        "population": [write_population(folder, plan, rng)],
        "police-uk-street": street,
        "local-crimes": local,
    }


def build_demo(data_dir: Path, progress: Progress | None = None) -> list[LoadReport]:
    """Write the demo files under ``data_dir/demo`` and load them.

    Safe to run again: unchanged files are recognised by checksum and skipped.
    """
    files = write_demo_files(data_dir / "demo")
    store = Store(data_dir / "store")
    return [
        run_load(store, get_source(source), paths, progress)
        for source, paths in files.items()
    ]
