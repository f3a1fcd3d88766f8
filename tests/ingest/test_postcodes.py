"""Postcodes to LSOAs (issue 14: a resident's postcode gave an error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import SHARED_DATA

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "postcodes"
SHARED = SHARED_DATA / "deprivation"


def test_the_ons_postcode_directory_loads_with_bad_rows_reported(store):
    report = run_load(store, get_source("postcodes"), [FIXTURES / "onspd-extract.csv"])
    assert (report.accepted, report.rejected) == (3, 2)
    rows = store.query(
        "SELECT postcode, area_code, vintage, terminated FROM postcodes "
        "ORDER BY postcode"
    ).to_pylist()
    # The newer LSOA where the directory gives one; the terminated kept.
    assert rows[:2] == [
        {"postcode": "B29 6AA", "area_code": "E01033641", "vintage": "2021",
         "terminated": False},
        {"postcode": "B29 6AB", "area_code": "E01033641", "vintage": "2021",
         "terminated": True},
    ]  # fmt: skip
    reasons = {field: reason for field, reason in report.reject_reasons}
    assert "must be a UK postcode" in reasons["pcds"]
    assert "LSOA code" in reasons["lsoa21"]
    [older] = store.query(
        "SELECT area_code, vintage FROM postcodes WHERE postcode = 'B30 1AA'"
    ).to_pylist()
    assert older == {"area_code": "E01009500", "vintage": "2011"}


def test_a_file_derived_from_the_directory_loads(store):
    report = run_load(
        store, get_source("postcodes"), [FIXTURES / "derived-imd-layout.csv"]
    )
    assert report.accepted == 2
    rows = store.query(
        "SELECT postcode, terminated FROM postcodes ORDER BY postcode"
    ).to_pylist()
    assert rows == [
        {"postcode": "B10 0AA", "terminated": True},
        {"postcode": "B10 0AB", "terminated": False},
    ]


def test_a_file_without_postcodes_is_refused_whole(store, tmp_path):
    wrong = tmp_path / "wards.csv"
    wrong.write_text("WD19CD,WD19NM\nE05011118,Selly Oak\n")
    with pytest.raises(Exception, match="is not a postcode lookup"):
        run_load(store, get_source("postcodes"), [wrong])
    assert "postcodes" not in store.tables()


@pytest.mark.skipif(
    not (SHARED / "deprivation-data-2019.csv").exists(),
    reason="the real Birmingham postcode list is in ../shared/data (not shipped)",
)
def test_every_birmingham_postcode_loads(store):
    report = run_load(
        store, get_source("postcodes"), [SHARED / "deprivation-data-2019.csv"]
    )
    assert (report.accepted, report.rejected) == (34_185, 0)
    [row] = store.query(
        "SELECT count(DISTINCT area_code) AS lsoas, "
        "count(*) FILTER (WHERE terminated) AS terminated FROM postcodes"
    ).to_pylist()
    assert row == {"lsoas": 639, "terminated": 12_709}
