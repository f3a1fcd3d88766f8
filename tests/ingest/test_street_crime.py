"""police.uk street crime: what is kept, what is rejected and how it is reported."""

from __future__ import annotations

import csv

from saferplaces.ingest.loader import run_load
from tests.support import JANUARY


def test_keeps_asb_rows_without_a_crime_id(store, street):
    run_load(store, street, [JANUARY])
    asb = store.query(
        "SELECT crime_id, is_asb, last_outcome FROM street_crime "
        "WHERE crime_type = 'Anti-social behaviour'"
    ).to_pylist()
    assert asb == [{"crime_id": None, "is_asb": True, "last_outcome": None}]


def test_keeps_rows_without_coordinates(store, street):
    run_load(store, street, [JANUARY])
    row = store.query(
        "SELECT longitude, latitude, lsoa_code, location FROM street_crime "
        "WHERE source_line = 4"
    ).to_pylist()
    assert row == [
        {
            "longitude": None,
            "latitude": None,
            "lsoa_code": None,
            "location": "No location",
        }
    ]


def test_canonical_columns_are_typed_and_keep_their_source_line(store, street):
    run_load(store, street, [JANUARY])
    row = store.query(
        "SELECT force, month, longitude, latitude, source_line FROM street_crime "
        "WHERE crime_type = 'Burglary'"
    ).to_pylist()[0]
    assert row == {
        "force": "west-midlands",
        "month": "2024-01",
        "longitude": -1.931,
        "latitude": 52.441,
        "source_line": 3,
    }


def test_every_rejected_row_is_reported_with_line_field_value_and_reason(store, street):
    report = run_load(store, street, [JANUARY])
    with open(report.rejects_path, newline="") as handle:
        records = list(csv.DictReader(handle))
    rejects = [(int(r["line"]), r["field"], r["value"], r["reason"]) for r in records]
    assert {r["file"] for r in records} == {str(JANUARY)}
    assert rejects == [
        (5, "Month", "2024-13", "Month must be YYYY-MM"),
        (6, "Crime type", "Jaywalking",
         "Crime type must be one of: Anti-social behaviour, Bicycle theft, Burglary, "
         "Criminal damage and arson, Drugs, Other crime, ..."),
        (7, "LSOA code", "BIRMINGHAM", "LSOA code must look like E01012345"),
        (8, "Latitude", "",
         "Longitude and Latitude must both be given or both be blank"),
    ]  # fmt: skip


def test_accepted_plus_rejected_is_every_data_line(store, street):
    report = run_load(store, street, [JANUARY])
    data_lines = len(JANUARY.read_text().splitlines()) - 1
    assert (report.accepted, report.rejected) == (4, 4)
    assert report.accepted + report.rejected == data_lines
    assert store.query("SELECT count(*) AS n FROM street_crime").to_pylist() == [
        {"n": 4}
    ]


def test_reasons_are_summarised_for_the_terminal(store, street):
    report = run_load(store, street, [JANUARY])
    assert report.reject_reasons[("Month", "Month must be YYYY-MM")] == 1
    assert sum(report.reject_reasons.values()) == 4
