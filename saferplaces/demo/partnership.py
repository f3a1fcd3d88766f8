"""The synthetic Birmingham South demo partnership (SYNTHETIC DATA).

Built from the seed plan's structure: the city of Birmingham; the Birmingham
South policing unit with three districts (Edgbaston, Northfield, Selly Oak)
of four wards each; three other policing units as comparators. Ward names are
real; every code, boundary, population and crime is invented. Codes use ONS
formats in ranges ONS does not issue (E019..., E059..., E089...) so they can
never be mistaken for real areas.

Everything is generated from one seed, so every run writes the same files,
and every file name starts with ``synthetic-``. The files go through the same
loaders as real data.
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from saferplaces.codes import force_slug
from saferplaces.vocabulary import POPULATION_AGE_BANDS

SEED = 20140401
CITY_CODE = "E08900025"
CITY_NAME = "Birmingham (synthetic)"
FORCE = "West Midlands Police"
# The force as an area, by police.uk's name for it: stop and search is
# counted for it, against the residents of the synthetic city.
FORCE_AREA = force_slug(FORCE)
# The years up to and through the seed plan's period (April 2014 to March
# 2015), and one more: the plan's 2013/14 findings can be asked of the data,
# and its evaluations have a year of follow-up.
FIRST_MONTH = (2010, 4)
MONTHS = 72  # six financial years, April 2010 to March 2016
LSOAS_PER_WARD = 6

# policing unit -> district -> wards; (x, y) is the unit's place on the map,
# in fractions of the city's extent (0, 0 = south-west corner).
POLICING_UNITS: dict[str, tuple[tuple[float, float], dict[str, list[str]]]] = {
    "Birmingham South": (
        (0.35, 0.22),
        {
            "Edgbaston": ["Bartley Green", "Edgbaston", "Harborne", "Quinton"],
            "Northfield": ["Kings Norton", "Longbridge", "Northfield", "Weoley"],
            "Selly Oak": ["Billesley", "Bournville", "Brandwood", "Selly Oak"],
        },
    ),
    "Birmingham North": (
        (0.55, 0.82),
        {
            "Erdington": ["Erdington", "Kingstanding", "Stockland Green"],
            "Sutton Coldfield": ["Sutton Four Oaks", "Sutton Vesey", "Sutton Trinity"],
        },
    ),
    "Birmingham East": (
        (0.8, 0.45),
        {
            "Hodge Hill": ["Hodge Hill", "Shard End", "Washwood Heath"],
            "Yardley": ["Acocks Green", "Sheldon", "Yardley East"],
        },
    ),
    "Birmingham West and Central": (
        (0.35, 0.6),
        {
            "Ladywood": ["Ladywood", "Nechells", "Soho"],
            "Perry Barr": ["Handsworth", "Lozells", "Perry Barr"],
        },
    ),
}
# The city's extent in WGS84 (roughly Birmingham's).
WEST, EAST, SOUTH, NORTH = -2.03, -1.73, 52.38, 52.61

AGE_BANDS = POPULATION_AGE_BANDS
AGE_SHARES = [0.13, 0.10, 0.11, 0.15, 0.19, 0.17, 0.15]


@dataclass
class Area:
    code: str
    name: str
    ward: str = ""
    x: float = 0.0
    y: float = 0.0
    risk: float = 1.0


@dataclass
class Layout:
    wards: list[Area]
    lsoas: list[Area]
    ward_unit: dict[str, str]
    ward_district: dict[str, str]

    def ward(self, code: str) -> Area:
        if not hasattr(self, "_wards_by_code"):
            self._wards_by_code = {ward.code: ward for ward in self.wards}
        return self._wards_by_code[code]


def layout(rng: random.Random) -> Layout:
    wards: list[Area] = []
    lsoas: list[Area] = []
    ward_unit: dict[str, str] = {}
    ward_district: dict[str, str] = {}
    for (ux, uy), districts in POLICING_UNITS.values():
        for d_index, (district, names) in enumerate(districts.items()):
            angle = 2 * math.pi * d_index / len(districts)
            dx, dy = ux + 0.11 * math.cos(angle), uy + 0.09 * math.sin(angle)
            for w_index, name in enumerate(names):
                code = f"E0590{len(wards) + 1:04d}"
                spin = 2 * math.pi * w_index / len(names) + angle
                ward = Area(
                    code,
                    name,
                    x=dx + 0.05 * math.cos(spin),
                    y=dy + 0.05 * math.sin(spin),
                    risk=rng.uniform(0.6, 1.6),
                )
                wards.append(ward)
                ward_district[code] = district
                ward_unit[code] = next(
                    unit for unit, (_, ds) in POLICING_UNITS.items() if district in ds
                )
                for letter in "ABCDEF"[:LSOAS_PER_WARD]:
                    lsoas.append(
                        Area(
                            f"E0190{len(lsoas) + 1:04d}",
                            f"{name} {letter} (synthetic)",
                            ward=code,
                            x=ward.x + rng.gauss(0, 0.018),
                            y=ward.y + rng.gauss(0, 0.018),
                            risk=ward.risk * rng.lognormvariate(0, 0.35),
                        )
                    )
    return Layout(wards, lsoas, ward_unit, ward_district)


def _lonlat(x: float, y: float) -> tuple[float, float]:
    return WEST + x * (EAST - WEST), SOUTH + y * (NORTH - SOUTH)


def write_geography(folder: Path, plan: Layout) -> list[Path]:
    lookup = folder / "synthetic-lookup-lsoa21-wd22-lad22.csv"
    with open(lookup, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"])
        ward_names = {ward.code: ward.name for ward in plan.wards}
        for lsoa in plan.lsoas:
            out.writerow(
                [
                    lsoa.code,
                    lsoa.name,
                    lsoa.ward,
                    ward_names[lsoa.ward],
                    CITY_CODE,
                    CITY_NAME,
                ]
            )
    areas: list[dict[str, object]] = []
    for u_index, (unit, (_, districts)) in enumerate(POLICING_UNITS.items(), 1):
        district_codes = []
        for district in districts:
            code = f"SYN-D{len(areas) + 1:02d}"
            district_codes.append(code)
            members = [
                w.code for w in plan.wards if plan.ward_district[w.code] == district
            ]
            areas.append(_area(code, f"{district} district", "district", members))
        areas.append(_area(f"SYN-PU{u_index}", unit, "policing_unit", district_codes))
    south = [str(a["code"]) for a in areas if a["name"] == "Birmingham South"]
    areas.append(_area("SYN-PARTNERSHIP", "Birmingham South", "partnership", south))
    # Made of the policing units (together the whole city): an area that
    # listed wards would become their parent in place of their district.
    units = [str(a["code"]) for a in areas if a["level"] == "policing_unit"]
    areas.append(_area(FORCE_AREA, f"{FORCE} (synthetic)", "force", units))
    areas_file = folder / "synthetic-partnership-areas.yaml"
    areas_file.write_text(
        "# SYNTHETIC demo areas for saferplaces: real ward names, invented codes.\n"
        + yaml.safe_dump({"areas": areas}, sort_keys=False)
    )
    return [lookup, areas_file]


def _area(code: str, name: str, level: str, contains: list[str]) -> dict[str, object]:
    return {"code": code, "name": name, "level": level, "contains": contains}


def lsoa_shapes(plan: Layout) -> dict[str, Any]:
    """Each LSOA's boundary (WGS84 shapely polygons, by code): Voronoi cells
    around the synthetic LSOA centres, clipped to the city. The boundaries
    file and the placing of road collisions both draw on it."""
    import shapely
    from shapely.geometry import MultiPoint, Point

    points = [_lonlat(lsoa.x, lsoa.y) for lsoa in plan.lsoas]
    centre = _lonlat(0.5, 0.5)
    city = shapely.affinity.scale(Point(centre).buffer(1.0), 0.17, 0.13)
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=city, ordered=True)
    return {
        lsoa.code: shapely.set_precision(cell.intersection(city), 1e-6)
        for lsoa, cell in zip(plan.lsoas, cells.geoms, strict=True)
    }


def write_boundaries(folder: Path, plan: Layout) -> Path:
    """The LSOAs' boundaries (``lsoa_shapes``) and the wards' (their union)."""
    import shapely
    from shapely.geometry import mapping

    lsoa_cells = lsoa_shapes(plan)
    features = [
        {
            "type": "Feature",
            "properties": {"lsoa21cd": lsoa.code, "lsoa21nm": lsoa.name},
            "geometry": mapping(lsoa_cells[lsoa.code]),
        }
        for lsoa in plan.lsoas
    ]
    for ward in plan.wards:
        cells_of_ward = [
            lsoa_cells[lsoa.code] for lsoa in plan.lsoas if lsoa.ward == ward.code
        ]
        shape = shapely.set_precision(shapely.union_all(cells_of_ward), 1e-6)
        properties = {"wd22cd": ward.code, "wd22nm": ward.name}
        features.append(
            {"type": "Feature", "properties": properties, "geometry": mapping(shape)}
        )
    path = folder / "synthetic-boundaries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


# SYNTHETIC shares of residents by ONS 2021 high-level ethnic group.
ETHNIC_SHARES = {"White": 0.6, "Asian": 0.2, "Black": 0.1, "Mixed": 0.05, "Other": 0.05}


def write_population(folder: Path, plan: Layout, rng: random.Random) -> Path:
    path = folder / "synthetic-population.csv"
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["area_code", "year", "age_band", "sex", "ethnicity",
                      "population"])  # fmt: skip
        for lsoa in plan.lsoas:
            base = rng.randint(1400, 2300)
            for year in range(2010, 2016):
                total = round(base * (1 + 0.004 * (year - 2010)))
                out.writerow([lsoa.code, year, "all", "all", "all", total])
                for band, share in zip(AGE_BANDS, AGE_SHARES, strict=True):
                    for sex, part in (("female", 0.51), ("male", 0.49)):
                        out.writerow([lsoa.code, year, band, sex, "all",
                                      round(total * share * part)])  # fmt: skip
            # Ethnic groups as a census gives them: once, for 2011.
            for group, share in ETHNIC_SHARES.items():
                out.writerow([lsoa.code, 2011, "all", "all", group,
                              round(base * share)])  # fmt: skip
    return path


def write_postcodes(folder: Path, plan: Layout) -> Path:
    """SYNTHETIC postcodes in the area ZZ, which Royal Mail does not use:
    ward n's LSOAs get ZZn 1AA, ZZn 1AB, ... (and one terminated postcode
    each, as real directories keep them)."""
    path = folder / "synthetic-postcodes.csv"
    by_ward: dict[str, list[Area]] = {}
    for lsoa in plan.lsoas:
        by_ward.setdefault(lsoa.ward, []).append(lsoa)
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["postcode", "area_code", "terminated"])
        for number, ward in enumerate(plan.wards, 1):
            for digit, lsoa in enumerate(by_ward.get(ward.code, []), 1):
                for letters in ("AA", "AB", "AD"):
                    out.writerow([f"ZZ{number} {digit}{letters}", lsoa.code, "false"])
                out.writerow([f"ZZ{number} {digit}ZZ", lsoa.code, "true"])
    return path
