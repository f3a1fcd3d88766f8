"""An area that is a police force counts every row of the force's files:
police.uk's "Falls within", rows with no location and rows it placed in
LSOAs of other authorities included (issue 29, finding 1)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from saferplaces.analytics import results
from saferplaces.analytics.measures.series import measure_series
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import SHARED_DATA, STREET_HEADER, store_copied_from

SHARED = SHARED_DATA / "police-uk"
CITY = SHARED / "city-of-london"
CITY_LSOA = "E01000001"  # City of London 001A
CAMDEN_LSOA = "E01000914"  # Camden 028B, next to the City


def street_row(n: int, force: str, lsoa: str, crime_type: str = "Burglary") -> str:
    where = "-0.1,51.5,On or near Road" if lsoa else ",,No Location"
    name = "X" if lsoa else ""
    return f"{n:064x},2016-10,{force},{force},{where},{lsoa},{name},{crime_type},,\n"


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Four City of London Police crimes (two in the City, one with no
    location, one placed in Camden) and one Metropolitan Police crime in
    Camden; a force area and a ward-sized area of the partnership's own.
    Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("force-totals")
    store = Store(tmp_path / "store")
    rows = [
        street_row(1, "City of London Police", CITY_LSOA),
        street_row(2, "City of London Police", CITY_LSOA),
        street_row(3, "City of London Police", ""),
        street_row(4, "City of London Police", CAMDEN_LSOA),
        street_row(5, "Metropolitan Police Service", CAMDEN_LSOA),
    ]
    path = tmp_path / "2016-10-city-of-london-street.csv"
    path.write_text(STREET_HEADER + "\n" + "".join(rows))
    run_load(store, get_source("police-uk-street"), [path])
    areas = tmp_path / "areas.yaml"
    areas.write_text(
        "areas:\n"
        "  - code: COL-FORCE\n"
        "    name: City of London Police\n"
        "    level: force\n"
        f"    contains: [{CITY_LSOA}]\n"
        "  - code: COL-CORE\n"
        "    name: The City's core\n"
        "    level: district\n"
        f"    contains: [{CITY_LSOA}]\n"
    )
    run_load(store, get_source("geography"), [areas])
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_a_force_area_counts_every_row_its_force_published(store):
    [point] = measure_series(store, "total-recorded-crime", "COL-FORCE")
    # 2 in the City + 1 with no location + 1 placed in Camden; not the Met's.
    assert point.numerator == 4


def test_a_smaller_area_counts_only_its_lsoas(store):
    [point] = measure_series(store, "total-recorded-crime", "COL-CORE")
    assert point.numerator == 2


def test_the_force_slug_is_an_area_with_no_geography_needed(store):
    [point] = measure_series(store, "total-recorded-crime", "city-of-london")
    assert point.numerator == 4
    [met] = measure_series(store, "total-recorded-crime", "metropolitan")
    assert met.numerator == 1


def test_the_force_total_through_the_results_path(store):
    answer = results.series(store, "total-recorded-crime", "COL-FORCE")
    assert [row.numerator for row in answer.rows] == [4]


def _raw_counts(folder: Path) -> Counter[tuple[str, bool]]:
    """(force named in "Falls within", is ASB) -> rows, straight from the CSVs."""
    counts: Counter[tuple[str, bool]] = Counter()
    for path in folder.rglob("*-street.csv"):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                asb = row["Crime type"] == "Anti-social behaviour"
                counts[(row["Falls within"], asb)] += 1
    return counts


@pytest.mark.skipif(
    not CITY.is_dir(),
    reason=f"real City of London police.uk files are not here ({CITY.resolve()}); "
    "they are never committed, so this test runs only beside ../shared/data",
)
def test_the_real_city_force_total_equals_its_files(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [CITY])
    raw = _raw_counts(CITY)
    for measure, asb in (
        ("total-recorded-crime", False),
        ("anti-social-behaviour", True),
    ):
        points = measure_series(store, measure, "city-of-london")
        assert (
            sum(p.numerator or 0 for p in points) == raw[("City of London Police", asb)]
        )


LOOKUP = SHARED.parent / "geography" / "imd_lookups.csv"
PFA_LOOKUP = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "geography"
    / "lookup-lad23-csp23-pfa23.csv"
)
CITY_AUTHORITY = "E09000001"


@pytest.mark.skipif(
    not (CITY.is_dir() and LOOKUP.is_file()),
    reason=f"real City of London police.uk files and the ONS lookup are not here "
    f"({CITY.resolve()}, {LOOKUP.resolve()}); they are never committed, so this "
    "test runs only beside ../shared/data",
)
def test_the_real_citys_figures_say_what_they_cannot_count(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [CITY])
    run_load(store, get_source("geography"), [LOOKUP, PFA_LOOKUP])
    with open(LOOKUP, newline="", encoding="utf-8-sig") as handle:
        city_lsoas = {
            row["LSOA21CD"]
            for row in csv.DictReader(handle)
            if row["LA24CD"] == CITY_AUTHORITY
        }
    inside = no_location = elsewhere = 0
    months = set()
    for path in CITY.rglob("*-street.csv"):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row["Crime type"] == "Anti-social behaviour":
                    continue
                months.add(row["Month"])
                if not row["LSOA code"]:
                    no_location += 1
                elif row["LSOA code"] in city_lsoas:
                    inside += 1
                else:
                    elsewhere += 1
    answer = results.series(store, "total-recorded-crime", CITY_AUTHORITY)
    assert sum(row.numerator or 0 for row in answer.rows) == inside
    assert all(row.coverage == "" for row in answer.rows)
    first, last = min(months), max(months)
    assert (
        f"In these months ({first} to {last}) {no_location:,} crimes of City of "
        f"London Police had no location and {elsewhere:,} were placed outside the "
        "force's LSOAs; they are in the force's total, not in any smaller area's."
    ) in answer.coverage
    force = results.series(store, "total-recorded-crime", "city-of-london")
    assert sum(row.numerator or 0 for row in force.rows) == (
        inside + no_location + elsewhere
    )
    # A Birmingham ward: West Midlands Police's files are not loaded.
    ward = results.series(store, "total-recorded-crime", "E05011119")
    assert {row.coverage for row in ward.rows} == {"no data"}
    assert all(row.value is None for row in ward.rows)
