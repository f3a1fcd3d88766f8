"""Small stores of local crime records for publication tests: a few LSOAs,
a few years, sparse domestic abuse, loaded through the ordinary loader so
every record has its record key."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.local_extract import COLUMNS
from saferplaces.ingest.sources import get_source

LSOAS = ("E01900001", "E01900002", "E01900003")


def months_between(first: str, last: str) -> list[str]:
    """Every YYYY-MM from ``first`` to ``last``."""
    year, month = int(first[:4]), int(first[5:])
    found = []
    while f"{year}-{month:02d}" <= last:
        found.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def with_secret(store: Store, secret: str) -> Store:
    """The store keyed by a known secret, so record keys (and so every
    published figure) are the same at every run of a test."""
    path = store.root / "_keys" / "record-key-secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret)
    return store


def load_reoffending(
    store: Store,
    folder: Path,
    *,
    area: str = "E01900001",
    cohorts: int = 12,
    offenders: int = 30,
    seed: int = 1,
) -> dict[str, tuple[int, int]]:
    """Quarterly cohorts of ``offenders`` offenders from 2021-04, with a
    Poisson(1.5) number of re-offences each; returns each quarter's true
    (offenders, re-offences) by the quarter's first month."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"reoffending-{seed}.csv"
    truth: dict[str, tuple[int, int]] = {}
    months = months_between("2021-04", "2030-12")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["offender_id", "cohort", "index_date", "index_disposal", "age_band",
             "sex", "ethnicity", "area_code", "proven_reoffences"]
        )  # fmt: skip
        for cohort in range(cohorts):
            first = months[3 * cohort]
            label = f"{first[:4]}-Q{(int(first[5:]) - 1) // 3 + 1}"
            total = 0
            for number in range(offenders):
                reoffences = int(rng.poisson(1.5))
                total += reoffences
                writer.writerow(
                    [f"off-{cohort:03d}{number:04d}", label, f"{first}-10", "custody",
                     "25-34", "male", "White", area, reoffences]
                )  # fmt: skip
            truth[first] = (offenders, total)
    report = run_load(store, get_source("reoffending"), [path])
    assert report.accepted == cohorts * offenders, report
    return truth


def load_domestic_abuse(
    store: Store,
    folder: Path,
    *,
    first: str = "2021-04",
    last: str = "2023-03",
    mean: float | dict[str, float] = 4.0,
    lsoas: tuple[str, ...] = LSOAS,
    ethnicities: tuple[str, ...] = ("White", "Asian"),
    seed: int = 1,
) -> dict[tuple[str, str], int]:
    """Domestic abuse violence records, a Poisson(``mean``) number per LSOA
    and month (``mean`` may differ by LSOA), victims of only
    ``ethnicities``; returns the true counts."""
    means = mean if isinstance(mean, dict) else dict.fromkeys(lsoas, mean)
    rng = np.random.default_rng(seed)
    truth: dict[tuple[str, str], int] = {}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"local-crimes-{seed}.csv"
    number = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for month in months_between(first, last):
            for lsoa in lsoas:
                truth[(lsoa, month)] = int(rng.poisson(means[lsoa]))
                for _ in range(truth[(lsoa, month)]):
                    number += 1
                    record = {
                        "crime_reference": f"20/{number}/{seed}",
                        "recorded_date": f"{month}-15",
                        "force": "West Midlands Police",
                        "offence_code": "8N",
                        "ho_group": "Violence against the person",
                        "ho_subgroup": "Violence with injury",
                        "lsoa_code": lsoa,
                        "location": "A road",
                        "domestic_abuse": "Y",
                        "hate_crime": "N",
                        "hate_strands": "",
                        "victim_age_band": "25-34",
                        "victim_sex": "female",
                        "victim_ethnicity": ethnicities[number % len(ethnicities)],
                        "victim_id": f"v-{number:08d}",
                    }
                    writer.writerow([record.get(column, "") for column in COLUMNS])
    report = run_load(store, get_source("local-crimes"), [path])
    assert report.accepted == sum(truth.values()), report
    return truth
