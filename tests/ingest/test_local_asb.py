"""The local ASB incidents extract, and qualifiers on the crime extract."""

from __future__ import annotations

from saferplaces.analytics import results
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT

HEADER = (
    "incident_reference,reported_date,force,asb_category,lsoa_code,location,"
    "qualifiers\n"
)


def test_incidents_load_with_qualifiers_and_bad_rows_are_reported(store, tmp_path):
    path = tmp_path / "asb-2024-01.csv"
    path.write_text(
        HEADER
        + "A1,2024-01-02,West Midlands Police,nuisance,E01900001,Park,youth\n"
        + "A2,2024-01-03,West Midlands Police,personal,E01900001,,youth; transport\n"
        + "A3,2024-01-04,West Midlands Police,noisy,E01900001,,\n"
        + "A4,2024-01-05,West Midlands Police,nuisance,E01900001,,teenagers\n"
    )
    report = run_load(store, get_source("local-asb"), [path])
    assert (report.accepted, report.rejected) == (2, 2)
    assert ("asb_category", "asb_category must be one of: personal, nuisance, "
            "environmental") in report.reject_reasons  # fmt: skip
    reasons = {field for field, _ in report.reject_reasons}
    assert "qualifiers" in reasons
    youth = results.series(store, "youth-related-asb", "E01900001").rows
    transport = results.series(store, "transport-related-asb", "E01900001").rows
    assert [row.numerator for row in youth] == [2]
    assert [row.numerator for row in transport] == [1]


def test_a_crime_extract_without_qualifiers_still_loads(store, tmp_path):
    report = run_load(store, get_source("local-crimes"), [EXTRACT])
    assert report.accepted == 4
    assert (
        store.query("SELECT count(qualifiers) AS n FROM local_crimes")["n"][0].as_py()
        == 0
    )


def test_a_crime_extract_with_qualifiers_counts_cannabis_cultivation(store, tmp_path):
    lines = EXTRACT.read_text().splitlines()
    path = tmp_path / "with-qualifiers.csv"
    rows = [lines[0] + ",qualifiers"]
    rows += [line + ("," + ("cannabis_cultivation" if i == 1 else "")) for i, line
             in enumerate(lines[1:], start=1)]  # fmt: skip
    path.write_text("\n".join(rows) + "\n")
    run_load(store, get_source("local-crimes"), [path])
    found = results.series(store, "cannabis-cultivation", "E01900001").rows
    assert [row.numerator for row in found] == [1]
