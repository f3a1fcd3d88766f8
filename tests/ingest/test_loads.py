"""Loads are atomic, idempotent and recorded; corrected files replace partitions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from saferplaces.analytics.store import Store, StoreError
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.reading import FileRefused
from tests.support import (
    CORRECTED_JANUARY,
    FEBRUARY,
    JANUARY,
    STREET_HEADER,
    write_csv,
)


def count(store, as_of=None, where="TRUE"):
    return store.query(
        f"SELECT count(*) AS n FROM street_crime WHERE {where}", as_of=as_of
    ).to_pylist()[0]["n"]


def test_one_load_of_many_files_and_months_is_one_commit(store, street):
    report = run_load(store, street, [JANUARY, FEBRUARY])
    assert (report.number, report.delta_version) == (1, 0)
    assert store.months("street_crime") == ["2024-01", "2024-02"]
    [load] = store.loads()
    assert [f["accepted"] for f in load.files] == [4, 3]


def test_the_load_record_has_checksums_counts_and_version(store, street):
    import hashlib

    run_load(store, street, [JANUARY])
    [load] = store.loads()
    [record] = load.files
    assert record["sha256"] == hashlib.sha256(JANUARY.read_bytes()).hexdigest()
    assert (record["rows_read"], record["accepted"], record["rejected"]) == (8, 4, 4)
    assert record["partitions"] == [["west-midlands", "2024-01"]]
    assert load.saferplaces_version
    assert load.delta_version == 0


def test_loading_the_same_file_again_changes_nothing(store, street):
    run_load(store, street, [JANUARY])
    again = run_load(store, street, [JANUARY])
    assert again.number is None
    assert again.files[0].skipped_as_load == 1
    assert store.table_version("street_crime") == 0
    assert count(store) == 4


def test_a_renamed_copy_of_a_loaded_file_is_recognised_and_leaves_no_files(
    store, street, tmp_path
):
    run_load(store, street, [JANUARY])
    files_before = sorted((store.root / "street_crime").rglob("*.parquet"))
    copy = tmp_path / "2024-01-west-midlands-street-copy.csv"
    copy.write_bytes(JANUARY.read_bytes())
    report = run_load(store, street, [copy, FEBRUARY])
    assert [f.skipped_as_load for f in report.files] == [1, None]
    assert report.number == 2
    assert [f["name"] for f in store.loads()[-1].files] == [str(FEBRUARY)]
    assert count(store) == 4 + 3
    # The copy's rows were written before its checksum was known; they must
    # not be left behind (nor committed).
    after = set((store.root / "street_crime").rglob("*.parquet"))
    assert set(files_before) <= after
    assert len(after) == len(files_before) + 1


def test_a_renamed_copy_alone_commits_nothing(store, street, tmp_path):
    run_load(store, street, [JANUARY])
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(JANUARY.read_bytes())
    report = run_load(store, street, [copy])
    assert report.number is None
    assert report.files[0].skipped_as_load == 1
    assert store.table_version("street_crime") == 0
    assert len(list((store.root / "street_crime").rglob("*.parquet"))) == 1


def test_corrected_file_replaces_its_force_month_in_one_commit(store, street):
    run_load(store, street, [JANUARY, FEBRUARY])
    report = run_load(store, street, [CORRECTED_JANUARY], allow_shrink=True)
    assert report.replaced == [
        {"force": "west-midlands", "month": "2024-01", "rows": 4}
    ]
    assert count(store, where="month = '2024-01'") == 3
    assert count(store, where="month = '2024-02'") == 3
    assert store.loads()[-1].replaced == report.replaced


def test_reloading_an_earlier_file_after_a_correction_restores_it(store, street):
    run_load(store, street, [JANUARY])
    run_load(store, street, [CORRECTED_JANUARY], allow_shrink=True)
    report = run_load(store, street, [JANUARY])
    assert report.number == 3
    assert count(store) == 4


def test_queries_can_be_run_as_of_an_earlier_load(store, street):
    run_load(store, street, [JANUARY])
    run_load(store, street, [CORRECTED_JANUARY], allow_shrink=True)
    assert count(store) == 3
    assert count(store, as_of=1) == 4
    assert count(store, as_of=2) == 3


def test_queries_can_be_run_as_of_a_date(store, street):
    run_load(store, street, [JANUARY])
    first = store.loads()[0].at
    run_load(store, street, [CORRECTED_JANUARY], allow_shrink=True)
    assert count(store, as_of=first) == 4
    assert count(store, as_of=datetime.now(UTC)) == 3


def test_as_of_a_load_that_does_not_exist_is_a_clear_error(store, street):
    run_load(store, street, [JANUARY])
    with pytest.raises(StoreError, match="load 7 does not exist; the newest is 1"):
        store.query("SELECT 1", as_of=7)


def test_a_refused_file_stops_the_whole_load_before_anything_is_written(
    store, street, tmp_path
):
    bad = write_csv(
        tmp_path / "2024-03-west-midlands-street.csv",
        STREET_HEADER.replace("Month", "Period") + "\n",
    )
    with pytest.raises(FileRefused):
        run_load(store, street, [FEBRUARY, bad])
    assert store.tables() == []


def test_a_file_with_no_acceptable_rows_writes_nothing_but_reports_them(
    store, street, tmp_path
):
    only_bad = write_csv(
        tmp_path / "2024-03-west-midlands-street.csv",
        STREET_HEADER + "\n,2024-99,WMP,WMP,,,No location,,,Burglary,,\n",
    )
    report = run_load(store, street, [only_bad])
    assert report.number is None
    assert store.tables() == []
    assert report.rejects_path.exists()


def test_a_web_store_may_see_another_processs_load_a_moment_late(tmp_path, street):
    web = Store(tmp_path / "store", recheck_seconds=3600)
    loader = Store(tmp_path / "store")
    run_load(loader, street, [JANUARY])
    assert web.months("street_crime") == ["2024-01"]
    run_load(loader, street, [FEBRUARY])  # another process, as far as web knows
    assert web.months("street_crime") == ["2024-01"]  # until it looks again
    web._heads = None  # what the passing of recheck_seconds does
    assert web.months("street_crime") == ["2024-01", "2024-02"]
    run_load(web, street, [CORRECTED_JANUARY], allow_shrink=True)  # seen at once
    assert count(web) == 3 + 3
