"""No data is not zero, and a smaller area says what it cannot count
(issue 29, findings 1 and 4): which force's files cover which area and
months comes from the forces loaded and ONS's local authority to police
force area lookup (tests/fixtures/geography/lookup-lad23-csp23-pfa23.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics import results
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT, GEOGRAPHY, STREET_HEADER, store_copied_from

PFA_LOOKUP = GEOGRAPHY / "lookup-lad23-csp23-pfa23.csv"
CITY_LSOA = "E01000001"  # in the City of London (E09000001)
CAMDEN_LSOA = "E01000914"  # in Camden (E09000007): the Met's
BIRMINGHAM_LSOA = "E01009001"  # in Birmingham (E08000025): West Midlands'
BIRMINGHAM_WARD = "E05011119"
CITY = "City of London Police"
MET = "Metropolitan Police Service"


def street(n: int, month: str, force: str, lsoa: str) -> str:
    where = "-0.1,51.5,On or near Road" if lsoa else ",,No Location"
    return f"{n:064x},{month},{force},{force},{where},{lsoa},X,Burglary,,\n"


# 2016-10: the City's and the Met's files; 2016-11: the City's only.
ROWS = [
    ("2016-10", CITY, CITY_LSOA),
    ("2016-10", CITY, CITY_LSOA),
    ("2016-10", CITY, ""),  # no location
    ("2016-10", CITY, CAMDEN_LSOA),  # placed outside the City
    ("2016-10", MET, CAMDEN_LSOA),
    ("2016-11", CITY, CITY_LSOA),
    ("2016-11", CITY, ""),
    ("2016-11", CITY, CAMDEN_LSOA),
]


def _load(tmp_path, *, pfa: bool) -> Store:
    store = Store(tmp_path / "store")
    crimes = tmp_path / "street.csv"
    crimes.write_text(
        STREET_HEADER
        + "\n"
        + "".join(street(n, *row) for n, row in enumerate(ROWS, start=1))
    )
    run_load(store, get_source("police-uk-street"), [crimes])
    lookup = tmp_path / "lsoa-ward-lad.csv"
    lookup.write_text(
        "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        f"{CITY_LSOA},City of London 001A,E05009999,Aldgate,E09000001,City of London\n"
        f"{CAMDEN_LSOA},Camden 028B,E05000999,Holborn,E09000007,Camden\n"
        f"{BIRMINGHAM_LSOA},Birmingham 100A,{BIRMINGHAM_WARD},Bartley Green,"
        "E08000025,Birmingham\n"
    )
    files = [lookup, PFA_LOOKUP] if pfa else [lookup]
    run_load(store, get_source("geography"), files)
    return store


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """The store, loaded once for the module; each test has a copy."""
    return _load(tmp_path_factory.mktemp("coverage"), pfa=True).root


@pytest.fixture
def store(loaded_once, tmp_path):
    return store_copied_from(loaded_once, tmp_path)


def test_a_ward_of_a_force_with_no_files_loaded_has_no_data_not_zero(store):
    answer = results.series(store, "total-recorded-crime", BIRMINGHAM_WARD)
    assert [row.coverage for row in answer.rows] == ["no data", "no data"]
    assert all(row.value is None and row.lower is None for row in answer.rows)
    assert "no data (West Midlands's police.uk files are not loaded" in (
        answer.rows[0].words
    )
    assert any("No data for 2016-10 and 2016-11" in s for s in answer.coverage)


def test_only_another_forces_rows_make_a_month_partial(store):
    answer = results.series(store, "total-recorded-crime", CAMDEN_LSOA)
    october, november = answer.rows
    assert (october.coverage, october.numerator) == ("", 2)
    assert (november.coverage, november.numerator) == ("partial", 1)
    assert "partial: only City of London Police's rows" in november.words


def test_a_smaller_area_says_what_it_cannot_count(store):
    answer = results.series(store, "total-recorded-crime", CITY_LSOA)
    assert [row.numerator for row in answer.rows] == [2, 1]
    # Counted from ROWS: the City's rows with no location (2) and placed
    # in Camden (2), in the two months shown.
    assert (
        "In these months (2016-10 to 2016-11) 2 crimes of City of London Police "
        "had no location and 2 were placed outside the force's LSOAs; they are "
        "in the force's total, not in any smaller area's."
    ) in answer.coverage


def test_the_sentence_covers_only_the_months_shown(store):
    answer = results.series(
        store, "total-recorded-crime", CITY_LSOA, first="2016-11", last="2016-11"
    )
    assert any("(2016-11) 1 crimes" in s and "and 1 were" in s for s in answer.coverage)


def test_the_force_area_from_the_lookup_counts_every_row(store):
    answer = results.series(store, "total-recorded-crime", "E23000034")
    assert [row.numerator for row in answer.rows] == [4, 3]
    assert not any("had no location" in s for s in answer.coverage)


def test_without_the_lookup_the_answer_says_what_cannot_be_known(tmp_path):
    store = _load(tmp_path, pfa=False)
    ward = results.series(store, "total-recorded-crime", BIRMINGHAM_WARD)
    assert any("is not known" in s for s in ward.coverage)
    city = results.series(store, "total-recorded-crime", CITY_LSOA)
    assert any(
        "2 crimes of City of London Police had no location" in s
        and "placed outside" not in s.split(";")[0]
        for s in city.coverage
    )


def test_a_chart_refuses_months_without_data_rather_than_draw_zeros(store):
    with pytest.raises(results.ResultError, match="no data for 2 of the 2 months"):
        results.chart(store, "total-recorded-crime", BIRMINGHAM_WARD)


def test_the_public_is_not_told_exact_uncounted_rows_of_perturbed_records(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("local-crimes"), [EXTRACT])
    partner = results.series(store, "recorded-crime-local", "E01900001")
    assert any("had no location" in s for s in partner.coverage)
    public = results.series(
        store, "recorded-crime-local", "E01900001", audience="public"
    )
    assert not any("had no location" in s for s in public.coverage)


def test_a_comparison_of_areas_says_no_data_for_the_unloaded_forces_ward(
    store, tmp_path
):
    areas = tmp_path / "areas.yaml"
    areas.write_text(
        "areas:\n  - code: ALL\n    name: Three wards\n    level: partnership\n"
        f"    contains: [E05009999, E05000999, {BIRMINGHAM_WARD}]\n"
    )
    run_load(store, get_source("geography"), [areas])
    answer = results.comparison(
        store, "total-recorded-crime", "ward", "ALL", "2016-10", by="month"
    )
    by_code = {row.area_code: row for row in answer.rows}
    ward = by_code[BIRMINGHAM_WARD]
    assert (ward.value, ward.coverage, ward.statement) == (None, "no data", "no data")
    assert by_code["E05009999"].numerator == 2
    assert any("No data for Bartley Green in 2016-10" in s for s in answer.coverage)


def test_with_nothing_uncounted_no_sentence_counts_zero_rows(tmp_path):
    """A month where every row of the force has a place: no sentence says
    "0 crimes had no location" (it read as noise on the neighbourhood page)."""
    store = Store(tmp_path / "store")
    crimes = tmp_path / "street.csv"
    crimes.write_text(STREET_HEADER + "\n" + street(1, "2016-10", CITY, CITY_LSOA))
    run_load(store, get_source("police-uk-street"), [crimes])
    lookup = tmp_path / "lsoa-ward-lad.csv"
    lookup.write_text(
        "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        f"{CITY_LSOA},City of London 001A,E05009999,Aldgate,E09000001,City of London\n"
    )
    run_load(store, get_source("geography"), [lookup, PFA_LOOKUP])
    answer = results.series(store, "total-recorded-crime", "E05009999")
    assert not [s for s in answer.coverage if "no location" in s], answer.coverage


def test_a_force_area_of_the_partnerships_own_says_which_force_covers_it(tmp_path):
    """An areas file may define the force as an area made of the places it
    covers (the demo does): its areas' coverage is then known, as with
    ONS's police force area lookup."""
    store = _load(tmp_path, pfa=False)
    areas = tmp_path / "areas.yaml"
    areas.write_text(
        "areas:\n"
        "  - {code: city-of-london, name: City of London Police, level: force,"
        " contains: [E09000001]}\n"
    )
    run_load(store, get_source("geography"), [areas])
    answer = results.series(store, "total-recorded-crime", "E05009999")
    assert not [s for s in answer.coverage if "is not known" in s], answer.coverage
