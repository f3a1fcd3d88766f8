"""SYNTHETIC surveys, re-offending cohorts and road casualties for the demo.

Seeded like the rest of the demo, so every run writes the same files. Each
plants something for the measures to find, echoing the seed plan's 2013/14
findings: feeling safe after dark falls in Birmingham South in the last
year; ASB victims' satisfaction is lowest in Birmingham South; killed or
seriously injured road casualties fall in Edgbaston and Northfield districts
but rise in Selly Oak.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import yaml

from saferplaces.demo.partnership import FIRST_MONTH, MONTHS, Layout, lsoa_shapes
from saferplaces.vocabulary import ADULT_AGE_BANDS, KNOWN_SEXES

SOUTH = "Birmingham South"
AGE_BANDS = ADULT_AGE_BANDS
SEXES = KNOWN_SEXES
# Drawn in this order (the demo's figures depend on it).
ETHNICITY_SHARES = {"White": 0.55, "Asian": 0.27, "Black": 0.09, "Mixed": 0.06,
                    "Other": 0.03}  # fmt: skip
ETHNICITIES = list(ETHNICITY_SHARES)
ETHNICITY_WEIGHTS = list(ETHNICITY_SHARES.values())
SAFETY = ["Very safe", "Fairly safe", "A bit unsafe", "Very unsafe", "Don't know"]
SATISFACTION = [
    "Completely satisfied",
    "Very satisfied",
    "Fairly satisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
    "Completely dissatisfied",
]
CONFIDENCE = ["Very confident", "Fairly confident", "Not very confident",
              "Not at all confident", "Don't know"]  # fmt: skip

RESPONDENT = ["respondent_id", "date", "area_code", "weight", "age_band", "sex",
              "ethnicity"]  # fmt: skip
CASUALTY_HEADER = ["collision_index", "collision_year", "vehicle_reference",
                   "casualty_reference", "casualty_class", "sex_of_casualty",
                   "age_band_of_casualty", "casualty_severity"]  # fmt: skip

RESIDENTS_QUESTIONS = {
    "survey": "synthetic-residents",
    "title": "Residents' safety survey (SYNTHETIC)",
    "questions": [
        {
            "id": "safe_after_dark",
            "text": "How safe do you feel walking alone in this area after dark?",
            "answers": SAFETY,
            "positive": SAFETY[:2],
            "excluded": ["Don't know"],
        },
        {
            "id": "confident_to_report_domestic_abuse",
            "text": "How confident would you be reporting domestic abuse, to the "
            "police or another agency?",
            "answers": CONFIDENCE,
            "positive": CONFIDENCE[:2],
            "excluded": ["Don't know"],
        },
        {
            "id": "satisfied_with_local_services",
            "text": "How satisfied are you with how the police and the council "
            "deal with crime and anti-social behaviour in your area?",
            "answers": SATISFACTION,
            "positive": SATISFACTION[:3],
        },
    ],
}
VICTIMS_QUESTIONS = {
    "survey": "synthetic-asb-victims",
    "title": "ASB victims' satisfaction survey (SYNTHETIC)",
    "questions": [
        {
            "id": "satisfied_with_service",
            "text": "Overall, how satisfied were you with the service you received?",
            "answers": SATISFACTION,
            "positive": SATISFACTION[:3],
        }
    ],
}


LESS_SAFE_FROM = 2013 * 12 + 4  # April 2013
SAFER_FROM = 2015 * 12 + 4  # April 2015


def _month(index: int) -> tuple[int, int]:
    year, month = FIRST_MONTH
    total = year * 12 + month - 1 + index
    return total // 12, total % 12 + 1


def _person(rng: random.Random) -> list[str]:
    return [
        rng.choice(AGE_BANDS),
        rng.choice(SEXES),
        rng.choices(ETHNICITIES, ETHNICITY_WEIGHTS)[0],
    ]


def _answer(rng: random.Random, scale: list[str], positive: float) -> str:
    """An answer: one of the first two with probability ``positive``."""
    if rng.random() < 0.04 and scale[-1] == "Don't know":
        return scale[-1]
    if rng.random() < positive:
        return rng.choice(scale[:2])
    return rng.choice(scale[2:4])


def _satisfied(rng: random.Random, chance: float) -> str:
    positive = rng.random() < chance
    return rng.choice(SATISFACTION[:3] if positive else SATISFACTION[3:])


def write_surveys(folder: Path, plan: Layout, seed: int) -> list[tuple[Path, Path]]:
    """Two surveys with their questions files: (responses, questions)."""
    rng = random.Random(seed + 1)
    residents = folder / "synthetic-survey-residents.csv"
    with open(residents, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [*RESPONDENT, "safe_after_dark", "confident_to_report_domestic_abuse",
             "satisfied_with_local_services"]
        )  # fmt: skip
        # Its own generator, so the other answers stay as they were planted.
        general = random.Random(seed + 11)
        serial = 0
        for m in range(MONTHS):
            year, month = _month(m)
            for lsoa in plan.lsoas:
                for _ in range(rng.choice((0, 1, 1, 2))):
                    serial += 1
                    south = plan.ward_unit[lsoa.ward] == SOUTH
                    safe = 0.82 - 0.12 * (lsoa.risk - 1)
                    if south and year * 12 + month >= LESS_SAFE_FROM:
                        # Planted: the plan's 2013/14 finding, perceptions
                        # of safety reduced from 2012/13.
                        safe -= 0.08
                    if south and year * 12 + month >= SAFER_FROM:
                        # Planted: the plan's work on feeling safe shows in
                        # the year after it (an evaluation finds it).
                        safe += 0.1
                    day = rng.randint(1, 28)
                    out.writerow(
                        [f"SYN-R{serial:06d}", f"{year}-{month:02d}-{day:02d}",
                         lsoa.code, f"{rng.lognormvariate(0, 0.3):.3f}",
                         *_person(rng), _answer(rng, SAFETY, safe),
                         _answer(rng, CONFIDENCE, 0.62 + 0.01 * m / 12),
                         _satisfied(general, 0.64 if south else 0.7)]
                    )  # fmt: skip
    victims = folder / "synthetic-survey-asb-victims.csv"
    with open(victims, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([*RESPONDENT, "service", "satisfied_with_service"])
        for serial in range(1, 6001):
            m = rng.randrange(MONTHS)
            year, month = _month(m)
            ward = rng.choice(plan.wards)
            service = rng.choice(("police", "police", "council", "housing"))
            satisfied = 0.78 if plan.ward_unit[ward.code] != SOUTH else 0.66
            positive = rng.random() < satisfied
            answer = rng.choice(SATISFACTION[:3] if positive else SATISFACTION[3:])
            out.writerow(
                [f"SYN-V{serial:06d}", f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
                 ward.code, "1", *_person(rng), service, answer]
            )  # fmt: skip
    pairs = []
    for responses, questions in (
        (residents, RESIDENTS_QUESTIONS),
        (victims, VICTIMS_QUESTIONS),
    ):
        path = responses.with_name(responses.stem + "-questions.yaml")
        path.write_text(
            "# SYNTHETIC demo survey questions\n" + yaml.safe_dump(questions)
        )
        pairs.append((responses, path))
    return pairs


def write_reoffending(folder: Path, plan: Layout, seed: int) -> Path:
    """Quarterly cohorts with proven re-offences in a 12-month follow-up."""
    rng = random.Random(seed + 2)
    path = folder / "synthetic-reoffending-cohorts.csv"
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["offender_id", "cohort", "index_date", "index_disposal",
                      "age_band", "sex", "ethnicity", "area_code",
                      "proven_reoffences"])  # fmt: skip
        serial = 0
        for m in range(MONTHS - 12):  # the last year has no complete follow-up
            year, month = _month(m)
            cohort = f"{year}-Q{(month - 1) // 3 + 1}"
            for _ in range(rng.randint(70, 110)):
                serial += 1
                lsoa = rng.choice(plan.lsoas)
                disposal = rng.choices(
                    ("custody", "court order", "caution"), (0.25, 0.45, 0.30)
                )[0]
                chance = {"custody": 0.42, "court order": 0.32, "caution": 0.15}
                reoffends = rng.random() < chance[disposal] - 0.01 * m / 12
                count = 1 + int(rng.expovariate(0.45)) if reoffends else 0
                out.writerow(
                    [f"syn-off-{serial:06d}", cohort,
                     f"{year}-{month:02d}-{rng.randint(1, 28):02d}", disposal,
                     *_person(rng), lsoa.code, count]
                )  # fmt: skip
    return path


def write_road_casualties(folder: Path, plan: Layout, seed: int) -> list[Path]:
    """STATS19-shaped collision and casualty files, in DfT's current naming."""
    rng = random.Random(seed + 3)
    # Redraws for points that miss their LSOA come from their own stream, so
    # the collisions' counts and severities are those of earlier demos.
    spare = random.Random(seed + 4)
    shapes = lsoa_shapes(plan)
    collisions = folder / "synthetic-dft-road-casualty-statistics-collision.csv"
    casualties = folder / "synthetic-dft-road-casualty-statistics-casualty.csv"
    with (
        open(collisions, "w", newline="") as collision_file,
        open(casualties, "w", newline="") as casualty_file,
    ):
        collision_out = csv.writer(collision_file)
        casualty_out = csv.writer(casualty_file)
        collision_out.writerow(["collision_index", "collision_year", "longitude",
                                "latitude", "police_force", "collision_severity",
                                "date", "lsoa_of_collision_location"])  # fmt: skip
        casualty_out.writerow(CASUALTY_HEADER)
        serial = 0
        for m in range(MONTHS):
            year, month = _month(m)
            for lsoa in plan.lsoas:
                district = _district(plan, lsoa.ward)
                for _ in range(_poisson(rng, 0.45 * lsoa.risk)):
                    serial += 1
                    index = f"{year}20{serial:07d}"
                    ksi = 0.16 * _ksi_trend(district, m)
                    casualty_rows = [
                        _casualty(rng, ksi) for _ in range(1 + _poisson(rng, 0.3))
                    ]
                    worst = min(int(row[-1]) for row in casualty_rows)
                    lon, lat = _point_in(
                        shapes[lsoa.code], rng.random(), rng.random(), spare
                    )
                    collision_out.writerow(
                        [index, year, f"{lon:.5f}", f"{lat:.5f}", "20", worst,
                         f"{rng.randint(1, 28):02d}/{month:02d}/{year}", lsoa.code]
                    )  # fmt: skip
                    for number, row in enumerate(casualty_rows, 1):
                        casualty_out.writerow([index, year, "1", number, *row])
    return [collisions, casualties]


def _point_in(
    lsoa: Any, first_x: float, first_y: float, spare: random.Random
) -> tuple[float, float]:
    """A point inside the LSOA's boundary: (first_x, first_y) as fractions
    of its bounding box, redrawn from ``spare`` until it lies inside (the
    SYNTHETIC LSOAs are Voronoi cells, which fill much of their box)."""
    import shapely

    west, south, east, north = lsoa.bounds
    x, y = first_x, first_y
    while True:
        lon, lat = west + x * (east - west), south + y * (north - south)
        # Rounded as written, so the written point is the one tested.
        lon, lat = round(lon, 5), round(lat, 5)
        if shapely.contains_xy(lsoa, lon, lat):
            return lon, lat
        x, y = spare.random(), spare.random()


def _district(plan: Layout, ward: str) -> str:
    return plan.ward_district[ward]


def _ksi_trend(district: str, month: int) -> float:
    """Planted: Selly Oak's KSI share rises, Edgbaston's and Northfield's fall."""
    years = month / 12
    if district == "Selly Oak":
        return 1 + 0.12 * years
    if district in ("Edgbaston", "Northfield"):
        return 1 - 0.08 * years
    return 1.0


def _casualty(rng: random.Random, ksi: float) -> list[str]:
    roll = rng.random()
    severity = "1" if roll < ksi * 0.06 else "2" if roll < ksi else "3"
    return [
        rng.choice(("1", "2", "3")),
        rng.choice(("1", "2")),
        str(rng.randint(2, 11)),
        severity,
    ]


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only."""
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
