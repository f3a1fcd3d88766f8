"""SYNTHETIC community concerns for the demo (docs/data/local-concerns.md):
about 500 reports a year across the city, with planted patterns for the
tasking groups to find, echoing the seed plan's 2013/14 District Tasking
findings ("road safety issues regularly being referred, including school
parking and speeding"; "environmental issues regularly referred, including
dog fouling, graffiti and fly-tipping"):

* fly-tipping concentrated in two Kings Norton LSOAs, and rising there from
  April 2014;
* school parking and speeding reports in Selly Oak;
* everything else spread by each LSOA's own risk.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from saferplaces.demo.outcomes import _poisson
from saferplaces.demo.partnership import FIRST_MONTH, MONTHS, Layout, _lonlat

ENVIRONMENTAL = ["fly-tipping", "graffiti", "dog-fouling", "litter",
                 "abandoned-vehicle", "tatters", "drug-litter"]  # fmt: skip
ROADS = ["school-parking", "speeding", "parking", "off-road-bikes"]
REPORTERS = ["resident"] * 6 + ["councillor", "officer", "business", "school"]


def write_concerns(folder: Path, plan: Layout, seed: int) -> Path:
    rng = random.Random(seed + 4)
    path = folder / "synthetic-local-concerns.csv"
    ward_names = {ward.code: ward.name for ward in plan.wards}
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["concern_reference", "reported_date", "category", "longitude",
                      "latitude", "lsoa_code", "location", "reported_by"])  # fmt: skip
        serial = 0
        for m in range(MONTHS):
            total = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + m
            year, month = total // 12, total % 12 + 1
            for lsoa in plan.lsoas:
                ward = ward_names[lsoa.ward]
                letter = lsoa.name.split(" ")[-2]
                for category in _reports(rng, ward, letter, year * 12 + month):
                    serial += 1
                    lon, lat = _lonlat(
                        lsoa.x + rng.gauss(0, 0.005), lsoa.y + rng.gauss(0, 0.005)
                    )
                    out.writerow(
                        [f"SYN-C{serial:06d}",
                         f"{year}-{month:02d}-{rng.randint(1, 28):02d}", category,
                         f"{lon:.6f}", f"{lat:.6f}", lsoa.code,
                         f"Near {ward} (synthetic)", rng.choice(REPORTERS)]
                    )  # fmt: skip
    return path


def _reports(rng: random.Random, ward: str, letter: str, month: int) -> list[str]:
    found = [rng.choice(ENVIRONMENTAL + ROADS) for _ in range(_poisson(rng, 0.22))]
    if ward == "Kings Norton" and letter in "AB":
        rate = 1.6 if month >= 2014 * 12 + 4 else 0.8
        found += ["fly-tipping"] * _poisson(rng, rate)
    if ward == "Selly Oak":
        found += [rng.choice(("school-parking", "speeding"))] * _poisson(rng, 0.5)
    return found
