"""Geography: lookups, partnership areas, boundaries and population."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.reading import FileRefused
from saferplaces.ingest.sources import get_source
from tests.support import JANUARY, write_csv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "geography"
LOOKUP = FIXTURES / "lookup-lsoa11-wd19-lad19.csv"
AREAS = FIXTURES / "partnership-areas.yaml"


def rejects_of(report):
    with open(report.rejects_path, newline="") as handle:
        return [
            (int(r["line"]), r["field"], r["value"], r["reason"])
            for r in csv.DictReader(handle)
        ]


def areas(store, where="TRUE"):
    return store.query(
        f"SELECT code, name, level, vintage, parents, members FROM geography "
        f"WHERE {where} ORDER BY level, code"
    ).to_pylist()


def test_lookup_columns_become_areas_with_parents(store):
    report = run_load(store, get_source("geography"), [LOOKUP])
    assert (report.accepted, report.rejected) == (3, 1)
    assert areas(store, "level = 'lsoa'")[0] == {
        "code": "E01900001", "name": "Anytown 001A", "level": "lsoa",
        "vintage": "2011", "parents": ["E05900001", "E08900001"], "members": [],
    }  # fmt: skip
    wards = areas(store, "level = 'ward'")
    assert [(w["code"], w["name"], w["parents"]) for w in wards] == [
        ("E05900001", "Oak Ward", ["E08900001"]),
        ("E05900002", "Elm Ward", ["E08900001"]),
    ]


def test_a_bad_code_is_rejected_with_its_line(store):
    report = run_load(store, get_source("geography"), [LOOKUP])
    assert rejects_of(report) == [
        (5, "LSOA11CD", "E0190004", "must be a 9-character ONS code")
    ]


def test_a_csv_without_ons_columns_is_refused(store):
    with pytest.raises(FileRefused, match="not an ONS lookup"):
        run_load(store, get_source("geography"), [JANUARY])


def test_partnership_areas_come_from_yaml(store):
    report = run_load(store, get_source("geography"), [AREAS, LOOKUP])
    district = areas(store, "level = 'district'")
    assert district == [
        {"code": "ANY-NORTH", "name": "North district", "level": "district",
         "vintage": "partnership", "parents": [],
         "members": ["E05900001", "E05900002"]},
    ]  # fmt: skip
    assert areas(store, "level = 'policing_unit'")[0]["members"] == ["ANY-NORTH"]
    assert (11, "level", "", "level is required") in rejects_of(report)


def test_boundaries_keep_geometry_and_a_point_inside(store):
    report = run_load(
        store, get_source("boundaries"), [FIXTURES / "boundaries.geojson"]
    )
    assert (report.accepted, report.rejected) == (1, 1)
    [ward] = store.query(
        "SELECT code, level, vintage, centroid_longitude AS x, "
        "centroid_latitude AS y FROM boundaries"
    ).to_pylist()
    assert (ward["code"], ward["level"], ward["vintage"]) == (
        "E05900001",
        "ward",
        "2019",
    )
    assert -1.95 < ward["x"] < -1.90
    assert 52.40 < ward["y"] < 52.45


def test_population_in_the_documented_layout(store):
    report = run_load(store, get_source("population"), [FIXTURES / "population.csv"])
    assert (report.accepted, report.rejected) == (3, 2)
    rows = store.query(
        "SELECT area_code, year, age_band, sex, population FROM population "
        "ORDER BY source_line"
    ).to_pylist()
    assert rows[1] == {"area_code": "E01900001", "year": 2023, "age_band": "10-17",
                       "sex": "female", "population": 90}  # fmt: skip


def test_census_ts001_footnote_lines_are_rejected_not_loaded(store, tmp_path):
    census = write_csv(
        tmp_path / "TS001.csv",
        "total,2021 super output area - lower layer,mnemonic\n"
        "1500,Anytown 001A,E01900001\n1720,Anytown 001B,E01900002\n\n"
        '"","This table is subject to disclosure control",""\n',
    )
    report = run_load(store, get_source("population"), [census])
    assert report.accepted == 2
    assert report.rejected == 1
    total = store.query("SELECT sum(population) AS n FROM population").to_pylist()
    assert total == [{"n": 3220}]


def test_lsoa_2011_to_2021_lookup_records_successors(store):
    run_load(store, get_source("geography"), [FIXTURES / "lookup-lsoa11-lsoa21.csv"])
    rows = store.query(
        "SELECT code, successors FROM geography "
        "WHERE level = 'lsoa' AND vintage = '2011' ORDER BY code"
    ).to_pylist()
    assert rows == [
        {"code": "E01900001", "successors": ["E01900001"]},
        {"code": "E01900002", "successors": ["E01900101", "E01900102"]},
    ]


def test_crimes_in_lsoas_missing_from_the_geography_are_kept_and_flagged(
    store, tmp_path
):
    from tests.support import ASB_ROW, STREET_HEADER, write_csv

    known = ASB_ROW.replace("E01009001", "E01900001")
    crimes = write_csv(
        tmp_path / "2024-03-west-midlands-street.csv",
        f"{STREET_HEADER}\n{known}\n{ASB_ROW}\n",
    )
    run_load(store, get_source("geography"), [LOOKUP])
    report = run_load(store, get_source("police-uk-street"), [crimes])
    flags = store.query(
        "SELECT lsoa_code, lsoa_known FROM street_crime ORDER BY source_line"
    ).to_pylist()
    assert report.accepted == 2
    assert flags == [
        {"lsoa_code": "E01900001", "lsoa_known": True},
        {"lsoa_code": "E01009001", "lsoa_known": False},
    ]


def test_the_ons_lsoa_2011_to_2021_lookup_loads_splits_merges_and_redrawn(store):
    report = run_load(
        store, get_source("geography"), [FIXTURES / "lsoa11-lsoa21-lad22-lu.csv"]
    )
    # Line 12 says its LSOA changed in a way ONS has no letter for.
    assert rejects_of(report) == [
        (12, "CHGIND", "Q", "CHGIND must be one of: U, S, M, X")
    ]
    rows = store.query(
        "SELECT code, successors FROM geography "
        "WHERE level = 'lsoa' AND vintage = '2011' ORDER BY code"
    ).to_pylist()
    assert {row["code"]: row["successors"] for row in rows} == {
        "E01900001": ["E01900001"],
        "E01900002": ["E01900101", "E01900102"],
        "E01900003": ["E01900003"],
        "E01900004": ["E01900004"],
        "E01900005": ["E01900104"],
        "E01900006": ["E01900104"],
        "E01900007": ["E01900105"],
        "E01900008": ["E01900105", "E01900106"],
    }
