"""A SYNTHETIC index of deprivation for the demo's LSOAs (SYNTHETIC DATA).

Written in the layout of MHCLG's IMD 2015 File 7 (score, rank and decile by
LSOA), the edition in use in the demo's years (April 2010 to March 2016), and
loaded by ``saferplaces ingest imd`` like a real file. Every score, rank and
decile is invented.

Tied to the demo's story: an LSOA is the more deprived the higher its crime
risk (``Area.risk``, which sets its crime rates), and the drugs focus wards
(``crimes.DRUGS_FOCUS``) more deprived again, with a little noise, so the
higher-crime wards sit in the more deprived deciles. The city leans towards
deprivation, as Birmingham does: about a fifth of its LSOAs are in the most
deprived tenth of England's. Drawn from its own random stream, so the demo's
other files stay as they were.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from saferplaces.demo.crimes import DRUGS_FOCUS
from saferplaces.demo.partnership import CITY_CODE, CITY_NAME, Layout

# England's LSOAs of 2011, which the IMD 2015 ranks.
ENGLISH_LSOAS = 32_844
# Above 1 leans the city's ranks towards the most deprived.
LEAN = 1.5
HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2013)",
    "Local Authority District name (2013)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of "
    "LSOAs)",
]


def write_deprivation(folder: Path, plan: Layout, seed: int) -> Path:
    """The demo's IMD file: one row per LSOA, most deprived first."""
    rng = random.Random(f"{seed}-deprivation")
    focus = {ward.code for ward in plan.wards if ward.name in DRUGS_FOCUS}
    need = {
        lsoa.code: math.log(lsoa.risk)
        + (0.35 if lsoa.ward in focus else 0.0)
        + rng.gauss(0, 0.15)
        for lsoa in plan.lsoas
    }
    ordered = sorted(plan.lsoas, key=lambda lsoa: need[lsoa.code], reverse=True)
    path = folder / "synthetic-imd2015-file7.csv"
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADER)
        for place, lsoa in enumerate(ordered):
            # Where the LSOA stands among England's, 0 the most deprived.
            share = ((place + 0.5) / len(ordered)) ** LEAN
            rank = max(1, math.ceil(share * ENGLISH_LSOAS))
            decile = math.ceil(10 * rank / ENGLISH_LSOAS)
            score = 2 + 80 * (1 - share) ** 3
            out.writerow([lsoa.code, lsoa.name, CITY_CODE, CITY_NAME,
                          f"{score:.3f}", rank, decile])  # fmt: skip
    return path
