"""SYNTHETIC police.uk outcomes and stop and search files for the demo.

Seeded from the demo's seed on streams of their own, so the demo's other
figures do not change. Outcomes follow the crimes of the synthetic street
files: each crime's last outcome arrives in the outcomes file of a month 0
to 11 months after the crime (a charge first where it went to court), and
outcomes due after the demo's last month have not arrived yet. Stop and
search plants disproportionality for the measures to find: Black residents
are searched at about three times, and Asian residents about one and a half
times, the rate of White residents.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from saferplaces.codes import month_number, month_of
from saferplaces.demo.partnership import (
    FIRST_MONTH,
    FORCE,
    FORCE_AREA,
    MONTHS,
    Layout,
    _lonlat,
)
from saferplaces.ingest.police_uk import OUTCOME_COLUMNS, STOP_SEARCH_COLUMNS

# Outcomes that police.uk gives in the street file only (no outcome row).
STILL_OPEN = {"Under investigation", "Status update unavailable"}
# A court result follows a charge: the charge arrives first.
AFTER_A_CHARGE = {"Awaiting court outcome", "Court result unavailable"}
SEARCHES_A_MONTH = 120
# Who is searched (drawn in this order): against the demo's residents
# (60% White, 20% Asian, 10% Black), about 1.5 and 3 times White's rate.
SEARCHED = {"White": 0.45, "Asian": 0.225, "Black": 0.225, "Mixed": 0.06,
            "Other": 0.04}  # fmt: skip
SELF_DEFINED = {
    "White": "White - English/Welsh/Scottish/Northern Irish/British",
    "Asian": "Asian/Asian British - Pakistani",
    "Black": "Black/African/Caribbean/Black British - Caribbean",
    "Mixed": "Mixed/Multiple ethnic groups - White and Black Caribbean",
    "Other": "Other ethnic group - Any other ethnic group",
}
OBJECTS = {"Controlled drugs": 0.6, "Offensive weapons": 0.15,
           "Stolen goods": 0.12, "Article for use in theft": 0.08,
           "Articles for use in criminal damage": 0.03, "Firearms": 0.02}  # fmt: skip
SEARCH_OUTCOMES = {"A no further action disposal": 0.7, "Arrest": 0.14,
                   "Community resolution": 0.05, "Khat or Cannabis warning": 0.05,
                   "Summons / charged by post": 0.02, "": 0.02,
                   "Caution (simple or conditional)": 0.01,
                   "Penalty Notice for Disorder": 0.01}  # fmt: skip
LEGISLATION = {
    "Controlled drugs": "Misuse of Drugs Act 1971 (section 23)",
    "Firearms": "Firearms Act 1968 (section 47)",
}
AGES = ["10-17", "18-24", "25-34", "over 34"]
PACE = "Police and Criminal Evidence Act 1984 (section 1)"


def _label(index: int) -> str:
    year, month = FIRST_MONTH
    return month_of(year * 12 + (month - 1) + index)


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def write_outcomes(folder: Path, street: list[Path], seed: int) -> list[Path]:
    """One outcomes file a month, from the synthetic street files' crimes."""
    rng = random.Random(seed * 31 + 7)
    last = month_number(_label(MONTHS - 1))
    by_month: dict[str, list[list[str]]] = {_label(m): [] for m in range(MONTHS)}
    for path in street:
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                final = row["Last outcome category"]
                if not row["Crime ID"] or not final or final in STILL_OPEN:
                    continue
                arrives = month_number(row["Month"]) + min(
                    int(rng.expovariate(0.4)), 11
                )
                steps = (
                    ["Suspect charged", final] if final in AFTER_A_CHARGE else [final]
                )
                for step, outcome in enumerate(steps):
                    month = arrives + 2 * step
                    if month > last:
                        break  # not arrived yet: the crime's share is provisional
                    by_month[month_of(month)].append(
                        [row["Crime ID"], month_of(month), FORCE, FORCE,
                         row["Longitude"], row["Latitude"], row["Location"],
                         row["LSOA code"], row["LSOA name"], outcome]
                    )  # fmt: skip
    paths = []
    for label, rows in by_month.items():
        path = folder / f"synthetic-{label}-west-midlands-outcomes.csv"
        with open(path, "w", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(OUTCOME_COLUMNS)
            out.writerows(rows)
        paths.append(path)
    return paths


def write_stop_searches(folder: Path, plan: Layout, seed: int) -> list[Path]:
    """One stop and search file a month for the demo force; about one search
    in five has no location, as in real files."""
    rng = random.Random(seed * 31 + 11)
    paths = []
    for m in range(MONTHS):
        label = _label(m)
        path = folder / f"synthetic-{label}-{FORCE_AREA}-stop-and-search.csv"
        with open(path, "w", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(STOP_SEARCH_COLUMNS)
            for _ in range(SEARCHES_A_MONTH + rng.randint(-20, 20)):
                out.writerow(_search(rng, plan, label))
        paths.append(path)
    return paths


def _search(rng: random.Random, plan: Layout, label: str) -> list[str]:
    group = _pick(rng, SEARCHED)
    stated = rng.random() < 0.85
    self_defined = SELF_DEFINED[group] if stated else "Other ethnic group - Not stated"
    # Officers' five groups have no Mixed: they see another.
    officer = group if group != "Mixed" else rng.choice(["White", "Black", "Other"])
    found = _pick(rng, OBJECTS)
    lon = lat = ""
    if rng.random() < 0.8:
        lsoa = plan.lsoas[rng.randrange(len(plan.lsoas))]
        x, y = _lonlat(lsoa.x, lsoa.y)
        lon, lat = f"{x:.6f}", f"{y:.6f}"
    outcome = _pick(rng, SEARCH_OUTCOMES)
    day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
    when = f"{label}-{day:02d}T{hour:02d}:{minute:02d}:00+00:00"
    return [
        rng.choices(["Person search", "Person and Vehicle search", "Vehicle search"],
                    weights=[85, 10, 5])[0],
        when, "False", "", lat, lon,
        rng.choices(["Male", "Female"], weights=[88, 12])[0],
        rng.choices(AGES, weights=[15, 35, 30, 20])[0],
        self_defined, officer, LEGISLATION.get(found, PACE), found, outcome,
        "" if not outcome else rng.choice(["True", "False"]), "False",
    ]  # fmt: skip
