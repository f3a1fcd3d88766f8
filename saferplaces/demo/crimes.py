"""SYNTHETIC monthly crime for the demo partnership: police.uk street files and
the matching local force extract (domestic abuse and hate crime flags, victim
demographics, pseudonymous victim ids with repeat victims).

Counts per LSOA and month are Poisson around a rate that carries:

* each LSOA's own risk (wards differ; LSOAs within a ward differ more);
* seasonality: violence and anti-social behaviour peak in summer;
* trends: burglary falls about 4% a year, shoplifting rises about 6%;
* planted signals for the SPC and hotspot features to find:
  - drugs about 2.5 times the usual rate in the substance-misuse focus wards
    (Bartley Green, Longbridge, Northfield, Kings Norton, Brandwood);
  - burglary concentrated in two Selly Oak LSOAs (the student area);
  - a step change: ASB in Bournville falls by a third from April 2014, when
    an intervention starts with the plan;
  - violence up a fifth across the city from April 2012 (the plan's 2013/14
    finding: violence with injury increased);
  - the domestic share of violence rises about 2 points a year (growing
    confidence to report domestic abuse), and about 30% of domestic abuse
    victims are victimised again within a year.
"""

from __future__ import annotations

import csv
import hashlib
import math
from bisect import bisect
from collections import deque
from itertools import accumulate
from pathlib import Path

import numpy as np

from saferplaces.codes import month_of
from saferplaces.demo.partnership import FIRST_MONTH, FORCE, MONTHS, Layout, _lonlat
from saferplaces.ingest.local_asb import COLUMNS as ASB_COLUMNS
from saferplaces.ingest.local_extract import COLUMNS as LOCAL_COLUMNS
from saferplaces.ingest.police_uk import STREET_COLUMNS
from saferplaces.vocabulary import HATE_STRANDS, age_bands_from

# (crime type, share of a typical LSOA's monthly rate)
TYPES = [
    ("Anti-social behaviour", 3.2),
    ("Violence and sexual offences", 3.6),
    ("Other theft", 0.9),
    ("Vehicle crime", 0.9),
    ("Criminal damage and arson", 0.8),
    ("Burglary", 0.7),
    ("Shoplifting", 0.8),
    ("Public order", 0.8),
    ("Drugs", 0.3),
    ("Other crime", 0.2),
    ("Theft from the person", 0.15),
    ("Robbery", 0.15),
    ("Bicycle theft", 0.12),
    ("Possession of weapons", 0.1),
]
SEASONAL = {"Anti-social behaviour", "Violence and sexual offences"}
ANNUAL_TREND = {"Burglary": -0.04, "Shoplifting": 0.06}
SOUTH_UNIT = "Birmingham South"
DRUGS_FOCUS = {"Bartley Green", "Longbridge", "Northfield", "Kings Norton", "Brandwood"}
STREETS = [
    "Bristol Road",
    "Pershore Road",
    "Oak Tree Lane",
    "Harborne Lane",
    "Alcester Road",
    "Hagley Road",
    "Raddlebarn Road",
    "Church Road",
    "High Street",
    "Station Road",
    "Park Road",
    "School Lane",
    "Victoria Road",
    "Mill Lane",
    "Green Lane",
]
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Awaiting court outcome",
    "Local resolution",
    "Offender given a caution",
    "Court result unavailable",
]
HEADER = STREET_COLUMNS


def month_label(index: int) -> str:
    year, month = FIRST_MONTH
    return month_of(year * 12 + (month - 1) + index)


def rate(plan: Layout, lsoa_index: int, crime_type: str, share: float, m: int) -> float:
    lsoa = plan.lsoas[lsoa_index]
    ward = plan.ward(lsoa.ward)
    label = month_label(m)
    calendar_month = int(label[5:])
    value = share * lsoa.risk
    if crime_type in SEASONAL:
        value *= 1 + 0.2 * math.cos(2 * math.pi * (calendar_month - 7) / 12)
    value *= (1 + ANNUAL_TREND.get(crime_type, 0.0)) ** (m / 12)
    if crime_type == "Drugs" and ward.name in DRUGS_FOCUS:
        value *= 2.5
    letter = lsoa.name.split(" ")[-2]
    if crime_type == "Burglary" and ward.name == "Selly Oak" and letter in "AB":
        value *= 4.0
    if crime_type == "Anti-social behaviour" and ward.name == "Bournville":
        value *= 2 / 3 if label >= "2014-04" else 1.0
    if crime_type == "Violence and sexual offences" and label >= "2012-04":
        value *= 1.2
    return float(value)


def write_crimes(
    folder: Path, plan: Layout, seed: int
) -> tuple[list[Path], list[Path], list[Path]]:
    """Street files, local crime extracts and local ASB extracts, month by
    month, from one random stream."""
    generator = np.random.default_rng(seed)
    names = {lsoa.code: lsoa.name for lsoa in plan.lsoas}
    victims = VictimPool(generator)
    paths, local_paths, asb_paths = [], [], []
    serial = 0
    for m in range(MONTHS):
        label = month_label(m)
        path = folder / f"synthetic-{label}-west-midlands-street.csv"
        local_path = folder / f"synthetic-local-crimes-{label}.csv"
        asb_path = folder / f"synthetic-local-asb-{label}.csv"
        with (
            open(path, "w", newline="") as handle,
            open(local_path, "w", newline="") as local_handle,
            open(asb_path, "w", newline="") as asb_handle,
        ):
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(HEADER)
            local = csv.writer(local_handle, lineterminator="\n")
            local.writerow(LOCAL_HEADER)
            incidents = csv.writer(asb_handle, lineterminator="\n")
            incidents.writerow(ASB_COLUMNS)
            for index, lsoa in enumerate(plan.lsoas):
                ward = plan.ward(lsoa.ward)
                for crime_type, share in TYPES:
                    count = generator.poisson(rate(plan, index, crime_type, share, m))
                    for _ in range(int(count)):
                        serial += 1
                        asb = crime_type == "Anti-social behaviour"
                        crime_id = (
                            ""
                            if asb
                            else hashlib.sha256(
                                f"saferplaces-demo-{seed}-{serial}".encode()
                            ).hexdigest()
                        )
                        lon, lat = _lonlat(
                            lsoa.x + generator.normal(0, 0.006),
                            lsoa.y + generator.normal(0, 0.006),
                        )
                        street = STREETS[int(generator.integers(len(STREETS)))]
                        outcome = (
                            ""
                            if asb
                            else OUTCOMES[int(generator.integers(len(OUTCOMES)))]
                        )
                        out.writerow(
                            [crime_id, label, FORCE, FORCE, f"{lon:.6f}", f"{lat:.6f}",
                             f"On or near {street}", lsoa.code, names[lsoa.code],
                             crime_type, outcome, ""]
                        )  # fmt: skip
                        if asb:
                            south = plan.ward_unit[lsoa.ward] == SOUTH_UNIT
                            incidents.writerow(
                                asb_row(serial, label, lsoa.code, street, south)
                            )
                        else:
                            row = local_row(generator, victims, serial, label, m,
                                            crime_type, lsoa.code, street)  # fmt: skip
                            row.append(qualifiers(serial, m, row[5], ward.name))
                            local.writerow(row)
        paths.append(path)
        local_paths.append(local_path)
        asb_paths.append(asb_path)
    return paths, local_paths, asb_paths


def _share(serial: int, salt: int) -> int:
    """A number 0-99 fixed by the serial: planted qualifiers and categories
    are taken from it, not the generator, so every other value stays as it
    was."""
    return (serial * salt + salt) % 100


def qualifiers(serial: int, m: int, subgroup: str, ward: str) -> str:
    """Planted: cannabis cultivation grows among drug trafficking in the
    drugs focus wards (the plan's emerging issue); business and transport
    qualifiers follow the offence."""
    found = []
    if subgroup in ("Shoplifting", "Non-residential burglary"):
        found.append("business")
    on_the_move = ("Theft from the person", "Robbery of personal property")
    if subgroup in on_the_move and _share(serial, 13) < 15:
        found.append("transport")
    growing = 25 + 4 * (m // 12)
    focus = subgroup == "Trafficking of drugs" and ward in DRUGS_FOCUS
    if focus and _share(serial, 31) < growing:
        found.append("cannabis_cultivation")
    if _share(serial, 17) < 8:
        found.append("youth")
    return "; ".join(found)


def asb_row(
    serial: int, label: str, lsoa_code: str, street: str, south: bool
) -> list[str]:
    """A local ASB incident for a police.uk ASB row. Planted: Birmingham South
    has the most youth-related ASB (the plan's 2013/14 finding)."""
    share = _share(serial, 7)
    category = (
        "personal" if share < 20 else "nuisance" if share < 85 else "environmental"
    )
    youth = _share(serial, 19) < (45 if south else 30)
    transport = _share(serial, 23) < 8
    return [
        f"SYN-ASB/{serial:07d}", f"{label}-{serial % 28 + 1:02d}", FORCE,
        category,
        lsoa_code, f"On or near {street}",
        "; ".join(q for q, on in (("youth", youth), ("transport", transport)) if on),
    ]  # fmt: skip


LOCAL_HEADER = [*LOCAL_COLUMNS, "qualifiers"]
VIOLENCE = "Violence against the person"
THEFT = "Theft offences"
# police.uk type -> (offence code, Home Office group, subgroup) choices
HOME_OFFICE: dict[str, list[tuple[str, str, str]]] = {
    "Violence and sexual offences": [
        ("8N", VIOLENCE, "Violence with injury"),
        ("8L", VIOLENCE, "Violence without injury"),
        ("8Q", VIOLENCE, "Stalking and harassment"),
        ("17", "Sexual offences", "Other sexual offences"),
    ],
    "Burglary": [
        ("28E", THEFT, "Residential burglary"),
        ("30C", THEFT, "Non-residential burglary"),
    ],
    "Robbery": [("34B", "Robbery", "Robbery of personal property")],
    "Vehicle crime": [("45", THEFT, "Vehicle offences")],
    "Shoplifting": [("46", THEFT, "Shoplifting")],
    "Theft from the person": [("39", THEFT, "Theft from the person")],
    "Bicycle theft": [("44", THEFT, "Bicycle theft")],
    "Other theft": [("49", THEFT, "All other theft offences")],
    "Criminal damage and arson": [
        ("58C", "Criminal damage and arson", "Criminal damage and arson")
    ],
    "Drugs": [
        ("92A", "Drug offences", "Possession of drugs"),
        ("92B", "Drug offences", "Trafficking of drugs"),
    ],
    "Possession of weapons": [
        ("10A", "Possession of weapons offences", "Possession of weapons offences")
    ],
    "Public order": [("9", "Public order offences", "Public order offences")],
    "Other crime": [
        ("99", "Miscellaneous crimes against society",
         "Miscellaneous crimes against society")
    ],
}  # fmt: skip
# Victims from the age of criminal responsibility up.
AGE_BANDS = age_bands_from("10-17")
AGE_WEIGHTS = [0.10, 0.20, 0.27, 0.25, 0.12, 0.06]
# Drawn in this order (the demo's figures depend on it).
ETHNICITY_SHARES = {
    "White": 0.55, "Asian": 0.26, "Black": 0.08, "Mixed": 0.05, "Other": 0.02,
    "Unknown": 0.04,
}  # fmt: skip
ETHNICITIES = list(ETHNICITY_SHARES)
ETHNICITY_WEIGHTS = list(ETHNICITY_SHARES.values())
STRANDS = HATE_STRANDS
AGE_CUMULATIVE = list(accumulate(AGE_WEIGHTS))
ETHNICITY_CUMULATIVE = list(accumulate(ETHNICITY_WEIGHTS))
Victim = tuple[str, str, str, str]  # pseudonym, age band, sex, ethnicity


def _weighted(
    g: np.random.Generator, values: list[str], cumulative: list[float]
) -> str:
    # numpy's choice(p=...) costs ~50 us a call; a bisect costs ~1 us.
    index = bisect(cumulative, g.random() * cumulative[-1])
    return values[min(index, len(values) - 1)]


class VictimPool:
    """Pseudonymous victims; about 30% of domestic abuse victims come back
    within a year."""

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator
        self.recent_domestic: deque[tuple[int, Victim]] = deque()
        self.count = 0

    def new(self, domestic: bool) -> Victim:
        g = self.generator
        self.count += 1
        female = g.random() < (0.8 if domestic else 0.45)
        return (
            f"syn-victim-{self.count:07d}",
            _weighted(g, AGE_BANDS, AGE_CUMULATIVE),
            "female" if female else "male",
            _weighted(g, ETHNICITIES, ETHNICITY_CUMULATIVE),
        )

    def domestic(self, month: int) -> Victim:
        while self.recent_domestic and month - self.recent_domestic[0][0] >= 12:
            self.recent_domestic.popleft()
        if self.recent_domestic and self.generator.random() < 0.3:
            index = int(self.generator.integers(len(self.recent_domestic)))
            return self.recent_domestic[index][1]
        victim = self.new(domestic=True)
        self.recent_domestic.append((month, victim))
        return victim


def _most_serious(serial: int, month: int) -> bool:
    """Planted: most serious violence falls from about 6% of domestic violence
    with injury to 2% over the five years (the plan's 2013/14 finding). Taken
    from the serial, not the generator, so every other value stays as it was."""
    return (serial * 7919) % 100 < 6 - month // 15


def local_row(
    g: np.random.Generator,
    victims: VictimPool,
    serial: int,
    label: str,
    m: int,
    crime_type: str,
    lsoa_code: str,
    street: str,
) -> list[str]:
    choices = HOME_OFFICE[crime_type]
    code, group, subgroup = choices[int(g.integers(len(choices)))]
    domestic = group == VIOLENCE and g.random() < 0.30 + 0.02 * (m / 12)
    hate_types = ("Violence and sexual offences", "Public order")
    hate = crime_type in hate_types and g.random() < 0.03
    picked: list[str] = (
        [str(s) for s in g.choice(STRANDS, size=int(g.integers(1, 3)))] if hate else []
    )
    victim_id, age, sex, ethnicity = (
        victims.domestic(m) if domestic else victims.new(domestic=False)
    )
    day = int(g.integers(1, 29))
    if domestic and subgroup == "Violence with injury" and _most_serious(serial, m):
        code = "5D"  # assault with intent to cause serious harm
    return [
        f"SYN/{serial:07d}", f"{label}-{day:02d}", FORCE, code, group, subgroup,
        lsoa_code, f"On or near {street}", "Y" if domestic else "N",
        "Y" if hate else "N", "; ".join(sorted(set(picked))), age, sex, ethnicity,
        victim_id,
    ]  # fmt: skip
