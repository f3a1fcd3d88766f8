"""Cases opened, de-identified, loaded straight into a store (the demo's
casework lives in Django; these tests need no database)."""

from __future__ import annotations

import csv
from pathlib import Path

from saferplaces.analytics import geography
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source


def load_cases_opened(
    store: Store, folder: Path, count: int = 240, lsoas: list[str] | None = None
) -> None:
    """``count`` cases over three years in ``lsoas`` (by default the store's
    first six LSOAs, or one made-up LSOA in a store with no geography)."""
    if lsoas is None:
        lsoas = [area.code for area in geography.areas_of_level(store, "lsoa")][:6]
    lsoas = lsoas or ["E01000001"]
    types = ["asb", "hate_crime", "domestic_abuse", "repeat_caller"]
    path = folder / "cases.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(get_source("cases-opened").columns)
        for number in range(count):
            month = 1 + number % 12
            writer.writerow([
                f"case{number:06d}", "demo", f"{2022 + number % 3}-{month:02d}-15",
                types[number % len(types)], ["standard", "medium", "high"][number % 3],
                lsoas[number % len(lsoas)],
            ])  # fmt: skip
    report = run_load(store, get_source("cases-opened"), [path])
    assert report.accepted == count, report


def load_referral_outcomes(
    store: Store, folder: Path, count: int = 120, lsoas: list[str] | None = None
) -> None:
    """``count`` completed referrals over three years in ``lsoas`` (as
    ``load_cases_opened``), each pathway with outcomes of its own."""
    if lsoas is None:
        lsoas = [area.code for area in geography.areas_of_level(store, "lsoa")][:6]
    lsoas = lsoas or ["E01000001"]
    outcomes = [
        ("Home fire safety visit", "Alarms fitted"),
        ("Home fire safety visit", "No access"),
        ("Housing support", "Rehoused"),
    ]
    path = folder / "referral-outcomes.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(get_source("referral-outcomes").columns)
        for number in range(count):
            month = 1 + number % 12
            pathway, outcome = outcomes[number % len(outcomes)]
            writer.writerow([
                f"ref{number:06d}", "demo", f"{2022 + number % 3}-{month:02d}-20",
                pathway, outcome, lsoas[number % len(lsoas)],
            ])  # fmt: skip
    report = run_load(store, get_source("referral-outcomes"), [path])
    assert report.accepted == count, report
