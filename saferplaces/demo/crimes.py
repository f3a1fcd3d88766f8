"""SYNTHETIC monthly street crime for the demo partnership, in police.uk's layout.

Counts per LSOA and month are Poisson around a rate that carries:

* each LSOA's own risk (wards differ; LSOAs within a ward differ more);
* seasonality: violence and anti-social behaviour peak in summer;
* trends: burglary falls about 4% a year, shoplifting rises about 6%;
* planted signals for the SPC and hotspot features to find:
  - drugs about 2.5 times the usual rate in the substance-misuse focus wards
    (Bartley Green, Longbridge, Northfield, Kings Norton, Brandwood);
  - burglary concentrated in two Selly Oak LSOAs (the student area);
  - a step change: ASB in Bournville falls by a third from April 2023, when
    an intervention starts;
  - violence up a fifth across the city from April 2022.
"""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path

import numpy as np

from saferplaces.demo.partnership import FIRST_MONTH, FORCE, MONTHS, Layout, _lonlat

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
HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]


def month_label(index: int) -> str:
    year, month = FIRST_MONTH
    total = year * 12 + (month - 1) + index
    return f"{total // 12}-{total % 12 + 1:02d}"


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
        value *= 2 / 3 if label >= "2023-04" else 1.0
    if crime_type == "Violence and sexual offences" and label >= "2022-04":
        value *= 1.2
    return float(value)


def write_street_crime(folder: Path, plan: Layout, seed: int) -> list[Path]:
    generator = np.random.default_rng(seed)
    names = {lsoa.code: lsoa.name for lsoa in plan.lsoas}
    paths = []
    serial = 0
    for m in range(MONTHS):
        label = month_label(m)
        path = folder / f"synthetic-{label}-west-midlands-street.csv"
        with open(path, "w", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(HEADER)
            for index, lsoa in enumerate(plan.lsoas):
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
                            [
                                crime_id,
                                label,
                                FORCE,
                                FORCE,
                                f"{lon:.6f}",
                                f"{lat:.6f}",
                                f"On or near {street}",
                                lsoa.code,
                                names[lsoa.code],
                                crime_type,
                                outcome,
                                "",
                            ]
                        )
        paths.append(path)
    return paths
